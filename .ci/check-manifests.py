#!/usr/bin/env python3
"""Checks every lesson crate's Cargo.toml against the workspace conventions.

- The same dependency has the same version requirement in every crate that uses it, so a learner
  who moves between lessons never meets two versions of one library.
- Nothing is inherited from the workspace (`x.workspace = true`), so a crate folder copied out of
  the repository builds on its own.
- Every crate is edition 2024, declares the same `rust-version` as every other, and has a
  README.md.
- A dependency whose features must not differ between lessons (SAME_FEATURES) has the same
  feature set everywhere: a crate copied out must get what it got in the workspace.

Exit status 1, with one line per problem, if any of these fails.
Usage: check-manifests.py [ROOT]   (ROOT defaults to the repository)
"""
import pathlib
import sys
import tomllib

root = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else pathlib.Path(__file__).resolve().parent.parent
problems = []
requirements = {}  # dependency -> {requirement -> [where]}
rust_versions = {}  # rust-version -> [crate]
SAME_FEATURES = {"futures"}
feature_sets = {}  # dependency in SAME_FEATURES -> {(default-features, features) -> [where]}


def dependency_tables(manifest):
    for section in ("dependencies", "dev-dependencies", "build-dependencies"):
        yield section, manifest.get(section, {})
    for target, table in manifest.get("target", {}).items():
        for section in ("dependencies", "dev-dependencies", "build-dependencies"):
            yield f"target.{target}.{section}", table.get(section, {})


crates = sorted(root.glob("session-*/Cargo.toml"))
if not crates:
    problems.append("no session-*/Cargo.toml found")
for path in crates:
    crate = path.parent.name
    manifest = tomllib.loads(path.read_text())
    package = manifest.get("package", {})
    if package.get("edition") != "2024":
        problems.append(f"{crate}: edition must be \"2024\", found {package.get('edition')!r}")
    if any(isinstance(v, dict) and v.get("workspace") for v in package.values()):
        problems.append(f"{crate}: [package] inherits from the workspace")
    rust_versions.setdefault(package.get("rust-version"), []).append(crate)
    if manifest.get("lints", {}).get("workspace"):
        problems.append(f"{crate}: [lints] inherits from the workspace")
    if package.get("publish") is not False or not package.get("description"):
        problems.append(f"{crate}: [package] needs publish = false and a description")
    if not (path.parent / "README.md").is_file():
        problems.append(f"{crate}: no README.md")
    for section, deps in dependency_tables(manifest):
        for name, spec in deps.items():
            if isinstance(spec, str):
                requirement = spec
            elif spec.get("workspace"):
                problems.append(f"{crate}: [{section}] {name} inherits from the workspace")
                continue
            elif "version" in spec:
                requirement = spec["version"]
            else:
                problems.append(f"{crate}: [{section}] {name} has no version requirement")
                continue
            name = spec.get("package", name) if isinstance(spec, dict) else name
            if name in SAME_FEATURES:
                table = spec if isinstance(spec, dict) else {}
                key = (table.get("default-features", True), tuple(sorted(table.get("features", []))))
                feature_sets.setdefault(name, {}).setdefault(key, []).append(crate)
            requirements.setdefault(name, {}).setdefault(requirement, []).append(
                f"{crate} [{section}]"
            )

for name, seen in sorted(requirements.items()):
    if len(seen) > 1:
        detail = "; ".join(f'"{req}" in {", ".join(where)}' for req, where in sorted(seen.items()))
        problems.append(f"{name} has different version requirements: {detail}")

if None in rust_versions:
    problems.append(f"no rust-version in {', '.join(rust_versions[None])}")
if len(rust_versions) > 1:
    detail = "; ".join(f"{v!r} in {', '.join(c)}" for v, c in sorted(rust_versions.items(), key=str))
    problems.append(f"rust-version differs between crates: {detail}")
for name, seen in sorted(feature_sets.items()):
    if len(seen) > 1:
        detail = "; ".join(f"default-features={d}, features={list(f)} in {', '.join(w)}"
                           for (d, f), w in seen.items())
        problems.append(f"{name} has different feature sets: {detail}")

for problem in problems:
    print(f"manifest check: {problem}")
if problems:
    sys.exit(1)
used = sum(len(w) for seen in requirements.values() for w in seen.values())
print(f"manifest check: {len(crates)} crates, {len(requirements)} dependencies "
      f"({used} uses), one requirement each, rust-version {next(iter(rust_versions))}")
