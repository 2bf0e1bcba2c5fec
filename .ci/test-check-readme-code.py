#!/usr/bin/env python3
"""Proves that check-readme-code.py can fail: it passes on a tree whose prose matches its code,
and fails, naming the file and the block, when one quoted line changes on either side."""

import subprocess
import sys
import tempfile
from pathlib import Path

CHECKER = Path(__file__).resolve().parent / "check-readme-code.py"

SOURCE = """fn main() {
    // ANCHOR: greet
    let name = "Mohammad";
    println!("1 - Hello {name}");
    // ANCHOR_END: greet
}
"""

README = """# A lesson

<!-- code: src/main.rs#greet -->
```rust
let name = "Mohammad";
println!("1 - Hello {name}");
```

<!-- code: sketch -->
```rust
this is not project code
```

```sh
cargo run
```
"""


def run(root: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(CHECKER), str(root)], capture_output=True, text=True)


def tree(source: str, readme: str) -> Path:
    root = Path(tempfile.mkdtemp())
    (root / "lesson" / "src").mkdir(parents=True)
    (root / "lesson" / "src" / "main.rs").write_text(source)
    (root / "lesson" / "README.md").write_text(readme)
    return root


def expect(ok: bool, root: Path, what: str, needle: str = "") -> None:
    r = run(root)
    if (r.returncode == 0) != ok or needle not in r.stderr:
        print(f"FAIL: {what}: exit {r.returncode}\n{r.stdout}{r.stderr}")
        sys.exit(1)
    print(f"ok: {what}")


expect(True, tree(SOURCE, README), "matching block passes")
expect(False, tree(SOURCE.replace("1 - Hello", "2 - Hello"), README),
       "a changed line in the source fails", "lesson/README.md:4")
expect(False, tree(SOURCE, README.replace("Mohammad", "Ali")),
       "a changed line in the README fails", "lesson/README.md:4")
expect(False, tree(SOURCE, README.replace("<!-- code: sketch -->\n", "")),
       "an unmarked rust block fails", "has no")
expect(False, tree(SOURCE, README.replace("#greet", "#gone")),
       "a missing region fails", "no region gone")
expect(False, tree(SOURCE, README.replace("src/main.rs", "src/lib.rs")),
       "a missing file fails", "does not exist")
print("6 passed, 0 failed")
