"""Writes the core's error kinds (``ErrorKind::ALL`` in ``core/src/error_kind.rs``, in order)
into the two places Python documents them by hand otherwise: the stub's ``_ErrorKind`` literal
(``python/maskinporten/_native.pyi``) and the README's ``<!-- kinds -->`` list. Run by
``scripts/test-python`` before the build, so a kind added to the core reaches Python's types and
docs without anyone copying it; ``tests/test_kinds.py`` then checks all three against the native
module's ``error_kinds()``. ``--check`` only reports (exit 1 on a difference).

    python3 python/tools/sync_kinds.py [--check]
"""

from __future__ import annotations

import re
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CORE = ROOT / "core" / "src" / "error_kind.rs"
STUB = ROOT / "python" / "python" / "maskinporten" / "_native.pyi"
README = ROOT / "python" / "README.md"


def core_kinds() -> list[str]:
    kinds = re.findall(r'=> "([a-z0-9_]+)",', CORE.read_text())
    if len(kinds) < 10 or len(kinds) != len(set(kinds)):
        raise SystemExit(f"{CORE}: expected the ErrorKind names as `Variant => \"name\",` lines")
    return kinds


def stub_text(text: str, kinds: list[str]) -> str:
    literal = "_ErrorKind = Literal[\n" + "".join(f'    "{kind}",\n' for kind in kinds) + "]\n"
    new, count = re.subn(r"_ErrorKind = Literal\[\n(?:    \"[a-z0-9_]+\",\n)*\]\n", lambda _: literal, text)
    if count != 1:
        raise SystemExit(f"{STUB}: no `_ErrorKind = Literal[...]` block (one name per line) to replace")
    return new


def readme_text(text: str, kinds: list[str]) -> str:
    listed = ", ".join(f"`{kind}`" for kind in kinds) + "."
    block = "<!-- kinds -->\n" + "\n".join(textwrap.wrap(listed, 96, break_on_hyphens=False)) + "\n<!-- /kinds -->"
    new, count = re.subn(r"<!-- kinds -->\n.*?<!-- /kinds -->", lambda _: block, text, flags=re.S)
    if count != 1:
        raise SystemExit(f"{README}: no `<!-- kinds -->` ... `<!-- /kinds -->` block to replace")
    return new


def main(check: bool) -> int:
    kinds = core_kinds()
    stale = []
    for path, rewrite in ((STUB, stub_text), (README, readme_text)):
        old = path.read_text()
        new = rewrite(old, kinds)
        if new != old:
            stale.append(path)
            if not check:
                path.write_text(new)
    for path in stale:
        verb = "differs from" if check else "updated from"
        print(f"{path.relative_to(ROOT)}: {verb} core/src/error_kind.rs (commit it)", file=sys.stderr)
    return 1 if check and stale else 0


if __name__ == "__main__":
    sys.exit(main("--check" in sys.argv[1:]))
