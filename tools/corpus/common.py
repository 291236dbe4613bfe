"""Shared by the corpus reference scripts: how an expected entry is written.

Dev tools, not run by CI. They read test/corpus/files and write test/corpus/expected/<format>.json,
independently of Depwatch's TypeScript: requirements files through pip's own parser, the TOML/JSON
formats from each format's documented meaning with tomllib/json and pypa/packaging.
"""
from __future__ import annotations

import json
import os
import re
from pathlib import Path

import packaging
from packaging.markers import Marker
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
FILES = ROOT / "test" / "corpus" / "files"
EXPECTED = ROOT / "test" / "corpus" / "expected"


def name(text: str) -> str:
    return canonicalize_name(text)


def extra(text: str) -> str:
    # PEP 685: extras compare after the same normalisation as names.
    return canonicalize_name(text)


def specifier(text: str) -> str:
    """packaging's str(SpecifierSet): clauses sorted, no spaces."""
    return str(SpecifierSet(text))


def marker(text: str | None) -> str | None:
    if text is None or text.strip() == "":
        return None
    return str(Marker(text))


def exact_version(spec: str) -> str | None:
    """The contract's `version`: the one `==` (without `*`) or `===` clause of a specifier."""
    pins = []
    for clause in filter(None, spec.split(",")):
        if clause.startswith("==="):
            pins.append(clause[3:])
        elif clause.startswith("=="):
            if clause.endswith(".*"):
                return None
            pins.append(clause[2:])
    return pins[0] if len(pins) == 1 else None


def entry(**fields) -> dict:
    keys = ["name", "version", "specifier", "extras", "marker", "source", "editable", "kind", "group", "direct", "file", "line"]
    missing = [k for k in keys if k not in fields]
    if missing:
        raise ValueError(f"entry without {missing}")
    return {k: fields[k] for k in keys}


def rel(path: Path) -> str:
    return path.relative_to(FILES).as_posix()


def write(format_name: str, generator: str, entries: list[dict], refused: list[dict] | None = None) -> None:
    EXPECTED.mkdir(parents=True, exist_ok=True)
    entries.sort(key=lambda e: (e["file"], e["line"] or 0, e["name"] or "", e["group"]))
    out = EXPECTED / f"{format_name}.json"
    out.write_text(json.dumps({"generator": f"{generator} (packaging {packaging.__version__})", "refused": refused or [], "entries": entries}, indent=1) + "\n", encoding="utf-8")
    print(f"{out.relative_to(ROOT)}: {len(entries)} entries")


def files_named(predicate) -> list[Path]:
    found = []
    for dirpath, _dirs, filenames in os.walk(FILES):
        for f in filenames:
            p = Path(dirpath) / f
            if predicate(p):
                found.append(p)
    return sorted(found)


def line_of(text: str, needle: str, start_line: int = 1) -> int | None:
    """1-based line of the first occurrence of needle at or after start_line."""
    lines = text.split("\n")
    for i in range(start_line - 1, len(lines)):
        if needle in lines[i]:
            return i + 1
    return None


HEADER = re.compile(r"^\s*\[\[\s*package\s*\]\]\s*$")


def package_header_lines(text: str) -> list[int]:
    return [i + 1 for i, line in enumerate(text.split("\n")) if HEADER.match(line)]
