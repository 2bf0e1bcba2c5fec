#!/usr/bin/env python3
"""Proves that check-manifests.py can fail: two crates that follow the conventions pass, and
each seeded defect fails it (a different version requirement, a missing or different
rust-version, futures with other features, a requirement inherited from the workspace)."""

import subprocess
import sys
import tempfile
from pathlib import Path

CHECKER = Path(__file__).resolve().parent / "check-manifests.py"
GOOD = """[package]
name = "{name}"
version = "0.1.0"
edition = "2024"
rust-version = "1.95"
publish = false
description = "a lesson"

[dependencies]
tokio = {{ version = "1.54", features = ["rt"] }}
futures = "0.3"
"""
SEEDS = {
    "a different version requirement": ('tokio = { version = "1.54"', 'tokio = { version = "1.40"', "different version requirements"),
    "a different rust-version": ('rust-version = "1.95"', 'rust-version = "1.88"', "rust-version differs"),
    "no rust-version": ('rust-version = "1.95"\n', "", "no rust-version"),
    "futures with other features": ('futures = "0.3"', 'futures = { version = "0.3", default-features = false }', "different feature sets"),
    "an inherited requirement": ('futures = "0.3"', "futures.workspace = true", "inherits from the workspace"),
}


def run(second: str) -> tuple[int, str]:
    with tempfile.TemporaryDirectory() as tmp:
        for name, text in (("session-01-a", GOOD.format(name="session-01-a")), ("session-02-b", second)):
            (Path(tmp) / name).mkdir()
            (Path(tmp) / name / "Cargo.toml").write_text(text)
            (Path(tmp) / name / "README.md").write_text("# lesson\n")
        done = subprocess.run([sys.executable, str(CHECKER), tmp], capture_output=True, text=True)
        return done.returncode, done.stdout + done.stderr


def main() -> int:
    ok = True
    good = GOOD.format(name="session-02-b")
    code, out = run(good)
    print(f"{'ok  ' if code == 0 else 'FAIL'} two conforming crates pass")
    ok &= code == 0
    for case, (old, new, says) in SEEDS.items():
        assert old in good, case
        code, out = run(good.replace(old, new))
        passed = code == 1 and says in out
        print(f"{'ok  ' if passed else 'FAIL'} {case} fails")
        if not passed:
            print(out)
        ok &= passed
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
