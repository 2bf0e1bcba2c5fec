#!/usr/bin/env python3
"""Every exercise's "You should see" is checked by running its solution.

Each numbered item under a lesson's `## Exercises` heading has, in the crate's `exercises/`:

    N-name.patch   the solution, a diff relative to the crate folder (`git apply` it there);
                   an exercise that asks for a reading or a choice has none, and an `answer`
    N-name.toml    the check: what to build and run, and what must be true of its output

The toml (all keys but `title` and `see`/`see_fa` optional):

    title = "await without create_task"
    patch = "2-await-without-spawn.patch"
    answer = "one line, for an exercise with no code change"
    example = "async_scraper_task"       # build and run this example, or
    bin = true                           # the crate's binary, or
    cargo = ["test", "--test", "x"]      # run this cargo command in the patched copy
    args = ["--speed", "10"]             # the program's arguments
    release = false                      # a release build, for exercises about speed
    stdin = "text"                       # fed to stdin (default: stdin is closed)
    timeout = 60                         # seconds
    exit = 0                             # the expected exit code, or
    hang = true                          # the program must still run at `timeout`, or
    build_fails = true                   # the patched crate must not compile
    needs_free_cores = 2                 # a claim about more cores: needs that many idle
    see = "..."                          # README.md's "You should see", word for word
    see_fa = "..."                       # README.fa.md's, word for word
    [expect]
    in_order = ['^a', '^b']              # regexes matching lines in this order
    absent = ['panicked']                # regexes no line may match
    count = [{ match = '^x', min = 20, max = 20 }]
    number = [{ match = 'total: ([0-9.]+) s', min = "20 * 0.2", max = "20 * 1.2 + 8" }]

`min`/`max` are numbers or arithmetic over numbers, so a range is written as its derivation from
the exercise's inputs. Output is stdout and stderr together, run with NO_COLOR=1 in a patched
copy of the crate (outside the workspace, with the workspace's Cargo.lock), which is also the
program's working directory. Builds run one after another; the programs then run side by side,
since most of them sleep, except those that need free cores, which run alone at the end.

A patch that no longer applies fails: it means the lesson changed under its exercise. A claim
about more cores on a machine without them idle is reported as "could not tell", not passed.

Usage: check-exercises.py [--root ROOT] [--jobs N] [--static] [CRATE ...]
`--static` only reads the checks and compares them with the READMEs (no build, no run).
The last line reads `exercises: N checked, M passed`. Exit status 1 if any check failed.
"""

from __future__ import annotations

import argparse
import ast
import concurrent.futures
import json
import operator
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

KEYS = {
    "title", "patch", "answer", "example", "bin", "cargo", "args", "release", "stdin", "timeout",
    "exit", "hang", "build_fails", "needs_free_cores", "see", "see_fa", "expect",
}
EXPECT_KEYS = {"in_order", "absent", "count", "number"}
ITEM = re.compile(r"^(\d+)\.\s")


@dataclass
class Exercise:
    crate: str
    name: str  # N-name
    number: int
    spec: dict
    problems: list[str] = field(default_factory=list)
    program: Path | None = None  # the built executable
    workdir: Path | None = None  # the patched copy it runs in
    output: str = ""  # build output, for build_fails and cargo checks
    status: str = ""  # "ok", "FAIL", "?"
    seconds: float = 0.0

    @property
    def label(self) -> str:
        return f"{self.crate} {self.name}"


# --- arithmetic for min/max ----------------------------------------------------------------
OPS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
       ast.Div: operator.truediv, ast.USub: operator.neg, ast.UAdd: operator.pos}


def arith(value) -> float:
    """A number, or a string of arithmetic over numbers ("20 * 1.2 + 8")."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    if not isinstance(value, str):
        raise ValueError(f"not a number or an expression: {value!r}")

    def walk(node):
        if isinstance(node, ast.Expression):
            return walk(node.body)
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
            return float(node.value)
        if isinstance(node, ast.BinOp) and type(node.op) in OPS:
            return OPS[type(node.op)](walk(node.left), walk(node.right))
        if isinstance(node, ast.UnaryOp) and type(node.op) in OPS:
            return OPS[type(node.op)](walk(node.operand))
        raise ValueError(f"only numbers and + - * / ( ) are allowed: {value!r}")

    return walk(ast.parse(value, mode="eval"))


def normalise(text: str) -> str:
    return " ".join(text.split())


def exercises_section(readme: str) -> str:
    """The text under `## Exercises` (or `## تمرین‌ها`) up to the next `## ` heading."""
    lines, inside, fence = [], False, False
    for line in readme.splitlines():
        if line.startswith("```"):
            fence = not fence
        if not fence and line.startswith("## "):
            inside = line.strip() in ("## Exercises", "## تمرین‌ها")
            continue
        if inside:
            lines.append(line)
    return "\n".join(lines)


def numbered_items(section: str) -> list[int]:
    return [int(m.group(1)) for line in section.splitlines() if (m := ITEM.match(line))]


# --- reading the checks ---------------------------------------------------------------------
def load(root: Path, crate: str) -> tuple[list[Exercise], list[str]]:
    folder = root / crate
    problems: list[str] = []
    readme = (folder / "README.md").read_text(encoding="utf-8")
    readme_fa_path = folder / "README.fa.md"
    readme_fa = readme_fa_path.read_text(encoding="utf-8") if readme_fa_path.exists() else ""
    items = numbered_items(exercises_section(readme))
    exercises = []
    for path in sorted((folder / "exercises").glob("*.toml")):
        name = path.stem
        m = re.match(r"^(\d+)-[a-z0-9-]+$", name)
        if not m:
            problems.append(f"{crate}/exercises/{path.name}: name it N-short-name.toml")
            continue
        try:
            spec = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as err:
            problems.append(f"{crate}/exercises/{path.name}: {err}")
            continue
        ex = Exercise(crate, name, int(m.group(1)), spec)
        validate(ex, folder, readme, readme_fa)
        exercises.append(ex)
    numbers = sorted(ex.number for ex in exercises)
    if items and numbers != sorted(items):
        missing = sorted(set(items) - set(numbers))
        extra = sorted(set(numbers) - set(items))
        if missing:
            problems.append(f"{crate}: exercises {missing} in README.md have no check in exercises/")
        if extra:
            problems.append(f"{crate}: checks {extra} in exercises/ have no exercise in README.md")
        if len(numbers) != len(set(numbers)):
            problems.append(f"{crate}: two checks share an exercise number")
    fa_items = numbered_items(exercises_section(readme_fa))
    if readme_fa and fa_items != items:
        problems.append(f"{crate}: README.fa.md numbers its exercises {fa_items}, README.md {items}")
    return exercises, problems


def validate(ex: Exercise, folder: Path, readme: str, readme_fa: str) -> None:
    spec, p = ex.spec, ex.problems
    unknown = set(spec) - KEYS
    if unknown:
        p.append(f"unknown keys {sorted(unknown)}")
    unknown = set(spec.get("expect", {})) - EXPECT_KEYS
    if unknown:
        p.append(f"unknown [expect] keys {sorted(unknown)}")
    for key in ("title", "see", "see_fa"):
        if not isinstance(spec.get(key), str) or not spec[key].strip():
            p.append(f"`{key}` is missing")
    if "patch" in spec:
        patch = folder / "exercises" / spec["patch"]
        if not patch.is_file():
            p.append(f"patch {spec['patch']} does not exist")
        if not spec["patch"].startswith(f"{ex.number}-"):
            p.append(f"patch {spec['patch']} is not numbered {ex.number}")
        for lang, text in (("README.md", readme), ("README.fa.md", readme_fa)):
            if f"exercises/{spec['patch']}" not in text:
                p.append(f"{lang} does not say where the solution is (exercises/{spec['patch']})")
    elif not spec.get("answer"):
        p.append("no `patch`, and no `answer` for an exercise without a code change")
    targets = [k for k in ("example", "bin", "cargo") if spec.get(k)]
    if len(targets) != 1:
        p.append("say what to run: exactly one of `example`, `bin`, `cargo`")
    if sum(bool(spec.get(k)) for k in ("hang", "build_fails")) + ("exit" in spec) > 1:
        p.append("`exit`, `hang` and `build_fails` exclude each other")
    if spec.get("see") and normalise(spec["see"]) not in normalise(readme):
        p.append("its `see` is not what README.md says you should see (word for word)")
    if spec.get("see_fa") and normalise(spec["see_fa"]) not in normalise(readme_fa):
        p.append("its `see_fa` is not what README.fa.md says you should see (word for word)")
    expect = spec.get("expect", {})
    try:
        for rule in expect.get("count", []) + expect.get("number", []):
            re.compile(rule["match"])
            for bound in ("min", "max"):
                if bound in rule:
                    arith(rule[bound])
        for rx in expect.get("in_order", []) + expect.get("absent", []):
            re.compile(rx)
    except (KeyError, ValueError, re.error, TypeError) as err:
        p.append(f"[expect] is malformed: {err}")
    if not expect and not spec.get("build_fails") and not spec.get("hang"):
        p.append("[expect] says nothing about the output")


# --- building ------------------------------------------------------------------------------
def patched_files(patch: Path) -> list[str]:
    files = []
    for line in patch.read_text(encoding="utf-8").splitlines():
        if line.startswith("+++ ") and not line.startswith("+++ /dev/null"):
            files.append(line[4:].split("\t")[0].removeprefix("b/"))
    return files


def reset_copy(source: Path, copy: Path, touch: set[str]) -> None:
    """Make `copy` equal to `source` (without target/), keeping the sources' times so that cargo
    rebuilds only what a patch changes; files a patch changed before are touched, so a restored
    file is rebuilt too."""
    if copy.exists():
        for child in copy.iterdir():
            if child.name == "Cargo.lock":
                continue
            shutil.rmtree(child) if child.is_dir() else child.unlink()
    shutil.copytree(source, copy, dirs_exist_ok=True, copy_function=shutil.copy2,
                    ignore=shutil.ignore_patterns("target"))
    now = time.time()
    for rel in touch:
        f = copy / rel
        if f.exists():
            os.utime(f, (now, now))


def cargo_env(target: Path) -> dict[str, str]:
    env = dict(os.environ, CARGO_TARGET_DIR=str(target), NO_COLOR="1", CARGO_TERM_COLOR="never")
    env.pop("CLICOLOR_FORCE", None)
    return env


def build(ex: Exercise, root: Path, copy: Path, target: Path, runs: Path) -> None:
    spec = ex.spec
    if "patch" in spec:
        patch = root / ex.crate / "exercises" / spec["patch"]
        applied = subprocess.run(["git", "apply", str(patch)], cwd=copy, capture_output=True,
                                 text=True)
        if applied.returncode != 0:
            ex.problems.append("its patch no longer applies: the lesson changed under it\n"
                               + applied.stderr.strip())
            return
    env = cargo_env(target)
    if spec.get("cargo"):
        started = time.monotonic()
        try:
            done = subprocess.run(["cargo", *spec["cargo"]], cwd=copy, env=env, text=True,
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                  stdin=subprocess.DEVNULL, timeout=spec.get("timeout", 300))
            ex.output, code = done.stdout, done.returncode
        except subprocess.TimeoutExpired as err:
            out = err.output or ""
            ex.output = out.decode(errors="replace") if isinstance(out, bytes) else out
            code = None
        ex.seconds = time.monotonic() - started
        judge(ex, code, timed_out=code is None)
        return
    what = ["--example", spec["example"]] if spec.get("example") else ["--bins"]
    cmd = ["cargo", "build", "--message-format=json-render-diagnostics", *what]
    if spec.get("release"):
        cmd.append("--release")
    done = subprocess.run(cmd, cwd=copy, env=env, text=True, capture_output=True,
                          stdin=subprocess.DEVNULL)
    ex.output = done.stderr
    if spec.get("build_fails"):
        judge(ex, None if done.returncode == 0 else done.returncode, build=True)
        return
    if done.returncode != 0:
        ex.problems.append("the patched crate does not build:\n" + tail(done.stderr, 25))
        return
    program = None
    for line in done.stdout.splitlines():
        try:
            msg = json.loads(line)
        except json.JSONDecodeError:
            continue
        if msg.get("reason") == "compiler-artifact" and msg.get("executable"):
            kinds = msg["target"]["kind"]
            if (spec.get("example") and "example" in kinds and msg["target"]["name"] == spec["example"]) \
                    or (spec.get("bin") and "bin" in kinds):
                program = msg["executable"]
    if program is None:
        ex.problems.append("cargo built no such program")
        return
    # The build dir is shared by every exercise of the crate: keep this exercise's program and
    # a snapshot of its patched copy, for the run.
    ex.workdir = runs / ex.crate / ex.name
    shutil.copytree(copy, ex.workdir, ignore=shutil.ignore_patterns("target"))
    ex.program = ex.workdir / ".exercise-program"
    shutil.copy2(program, ex.program)


# --- running -------------------------------------------------------------------------------
def idle_cores(seconds: float = 1.0) -> float:
    """How many cores were idle over the next `seconds`, from /proc/stat."""

    def sample():
        fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
        return fields[3] + fields[4], sum(fields)

    idle1, total1 = sample()
    time.sleep(seconds)
    idle2, total2 = sample()
    return (os.cpu_count() or 1) * (idle2 - idle1) / max(1, total2 - total1)


def run(ex: Exercise) -> None:
    spec = ex.spec
    env = dict(os.environ, NO_COLOR="1")
    env.pop("CLICOLOR_FORCE", None)
    stdin = spec.get("stdin")
    timeout = spec.get("timeout", 60)
    started = time.monotonic()
    proc = subprocess.Popen([str(ex.program), *spec.get("args", [])], cwd=ex.workdir, env=env,
                            stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            start_new_session=True)
    try:
        out, _ = proc.communicate(stdin.encode() if stdin is not None else None, timeout=timeout)
        code, timed_out = proc.returncode, False
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, _ = proc.communicate()
        code, timed_out = None, True
    ex.seconds = time.monotonic() - started
    ex.output = out.decode(errors="replace")
    judge(ex, code, timed_out)


def judge(ex: Exercise, code: int | None, timed_out: bool = False, build: bool = False) -> None:
    spec, p = ex.spec, ex.problems
    if build:
        if code is None:
            p.append("the patched crate compiles, but the exercise says it does not")
    elif spec.get("hang"):
        if not timed_out:
            p.append(f"it ended (exit {code}) within {spec.get('timeout', 60)} s; it should hang")
    elif timed_out:
        p.append(f"it was still running after {spec.get('timeout', 60)} s")
    elif code != spec.get("exit", 0):
        p.append(f"it exited with {code}, not {spec.get('exit', 0)}")
    p.extend(check_output(ex.output, spec.get("expect", {})))


def check_output(output: str, expect: dict) -> list[str]:
    problems = []
    lines = output.splitlines()
    i = 0
    for rx in expect.get("in_order", []):
        while i < len(lines) and not re.search(rx, lines[i]):
            i += 1
        if i == len(lines):
            problems.append(f"no line matches /{rx}/ after the lines before it")
            break
        i += 1
    for rx in expect.get("absent", []):
        hit = next((line for line in lines if re.search(rx, line)), None)
        if hit is not None:
            problems.append(f"a line matches /{rx}/, and none should: {hit!r}")
    for rule in expect.get("count", []):
        n = sum(1 for line in lines if re.search(rule["match"], line))
        lo, hi = arith(rule.get("min", 0)), arith(rule.get("max", float("inf")))
        if not lo <= n <= hi:
            problems.append(f"{n} lines match /{rule['match']}/, not {lo:g} to {hi:g}")
    for rule in expect.get("number", []):
        values = [float(m.group(1)) for line in lines if (m := re.search(rule["match"], line))]
        lo = arith(rule.get("min", float("-inf")))
        hi = arith(rule.get("max", float("inf")))
        if not values:
            problems.append(f"no line matches /{rule['match']}/")
        for v in values:
            if not lo <= v <= hi:
                problems.append(f"/{rule['match']}/ gave {v:g}, outside {lo:g} to {hi:g}")
    return problems


def tail(text: str, n: int) -> str:
    return "\n".join("      " + line for line in text.strip().splitlines()[-n:])


def report(ex: Exercise) -> None:
    if ex.status == "ok":
        print(f"ok    {ex.label}  ({ex.seconds:.1f} s)", flush=True)
    elif ex.status == "?":
        print(f"?     {ex.label}: could not tell: {ex.problems[0]}", flush=True)
    else:
        print(f"FAIL  {ex.label}: {ex.spec.get('title', '')}", flush=True)
        for problem in ex.problems:
            print(f"      {problem}", flush=True)
        if ex.output:
            print("      output (last lines):\n" + tail(ex.output, 15), flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("crates", nargs="*", help="session-* folders (default: all)")
    parser.add_argument("--root", type=Path, default=Path(__file__).resolve().parent.parent)
    parser.add_argument("--jobs", type=int, default=8, help="programs run side by side")
    parser.add_argument("--static", action="store_true",
                        help="only read the checks and compare them with the READMEs")
    args = parser.parse_args()
    root = args.root.resolve()
    crates = args.crates or sorted(p.name for p in root.glob("session-*") if p.is_dir())

    exercises, problems = [], []
    for crate in crates:
        if not (root / crate / "README.md").exists():
            problems.append(f"{crate}: no such lesson")
            continue
        found, crate_problems = load(root, crate)
        exercises += found
        problems += crate_problems
    for problem in problems:
        print(f"FAIL  {problem}", flush=True)
    if args.static:
        for ex in exercises:
            ex.status = "FAIL" if ex.problems else "ok"
            if ex.problems:
                report(ex)
        print(f"exercises: {len(exercises)} read, {sum(not ex.problems for ex in exercises)} agree "
              "with their READMEs (not run)")
        return 1 if problems or any(ex.problems for ex in exercises) else 0

    target = root / "target" / "exercises"
    scratch = Path(tempfile.mkdtemp(prefix="exercises-"))
    try:
        runs = scratch / "runs"
        by_crate: dict[str, list[Exercise]] = {}
        for ex in exercises:
            by_crate.setdefault(ex.crate, []).append(ex)
        for crate, group in by_crate.items():
            copy = scratch / "copies" / crate
            copy.mkdir(parents=True)
            if (root / "Cargo.lock").exists():
                shutil.copy2(root / "Cargo.lock", copy / "Cargo.lock")
            touch: set[str] = set()
            for ex in group:
                if ex.problems:
                    continue
                print(f"build {ex.label}", flush=True)
                reset_copy(root / crate, copy, touch)
                if "patch" in ex.spec:
                    touch |= set(patched_files(root / crate / "exercises" / ex.spec["patch"]))
                build(ex, root, copy, target, runs)
                if ex.program is None:  # judged at build time, or failed to build
                    ex.status = "FAIL" if ex.problems else "ok"
                    report(ex)

        ready = [ex for ex in exercises if ex.program is not None and not ex.problems]
        shared = [ex for ex in ready if not ex.spec.get("needs_free_cores")]
        alone = [ex for ex in ready if ex.spec.get("needs_free_cores")]
        print(f"running {len(ready)} programs, {min(args.jobs, max(1, len(shared)))} at a time",
              flush=True)
        with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
            for ex, _ in zip(shared, pool.map(run, shared)):
                ex.status = "FAIL" if ex.problems else "ok"
                report(ex)
        for ex in alone:
            need = ex.spec["needs_free_cores"]
            idle = idle_cores()
            if idle < need - 0.3:
                ex.status, ex.problems = "?", [f"needs {need} idle cores, {idle:.1f} were idle"]
            else:
                run(ex)
                ex.status = "FAIL" if ex.problems else "ok"
                if ex.problems and (idle := idle_cores()) < need - 0.3:
                    ex.status = "?"
                    ex.problems.insert(0, f"needs {need} idle cores, {idle:.1f} were idle "
                                          f"after the run")
            report(ex)
        for ex in exercises:
            if not ex.status:  # a problem found before building
                ex.status = "FAIL"
                report(ex)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)

    passed = sum(ex.status == "ok" for ex in exercises)
    unsure = [ex for ex in exercises if ex.status == "?"]
    failed = [ex for ex in exercises if ex.status == "FAIL"]
    if unsure:
        print(f"could not tell {len(unsure)} (not passed, not failed): "
              + ", ".join(ex.label for ex in unsure))
    print(f"exercises: {len(exercises)} checked, {passed} passed")
    return 1 if failed or problems else 0


if __name__ == "__main__":
    sys.exit(main())
