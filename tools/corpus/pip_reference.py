"""Expected `depwatch deps` entries for every requirements file of the corpus, as pip reads them.

pip 23.2.1's own parser does the work: `RequirementsFileParser` (line joining, comments, options,
`-r` / `-c` recursion, the line number pip reports) and `install_req_from_parsed_requirement` (URLs,
paths, editables, `#egg=`, markers). Markers and specifiers are printed by pypa/packaging (the
installed release, 26.x). A requirement pip cannot name without building it (a path, an archive or
VCS URL without `#egg=`) gets `name: null`: pip learns the name only by building the project.

Run: python3 tools/corpus/pip_reference.py   (needs pip 23.2.1; no network)
"""
from __future__ import annotations

import os
import warnings
import re
import sys
import tempfile
from pathlib import Path

import pip
from pip._internal.network.session import PipSession
from pip._internal.req.constructors import install_req_from_parsed_requirement
from pip._internal.req.req_file import RequirementsFileParser, get_line_parser, handle_requirement_line

sys.path.insert(0, str(Path(__file__).parent))
from common import FILES, entry, exact_version, extra, marker, name, rel, write  # noqa: E402

from packaging.specifiers import InvalidSpecifier, SpecifierSet  # noqa: E402

COMES_FROM = re.compile(r"^-[rc] (.*) \(line (\d+)\)$")


def is_requirements_file(p: Path) -> bool:
    return p.suffix in (".txt", ".in")


def spec_text(ireq) -> str:
    if ireq.req is None:
        return ""
    raw = str(ireq.req.specifier)
    try:
        return str(SpecifierSet(raw))
    except InvalidSpecifier:
        # pip 23.2.1's packaging 21.3 still accepts legacy (non-PEP 440) clauses.
        return ",".join(sorted(s for s in raw.split(",") if s))


def source_of(ireq) -> str:
    link = ireq.link
    if link is None:
        return "registry"
    if link.is_vcs:
        return "vcs"
    if link.scheme == "file":
        return "path"
    return "url"


def parse_root(path: Path, results: dict, errors: list, reached: set) -> None:
    session = PipSession()
    parser = RequirementsFileParser(session, get_line_parser(None))
    try:
        lines = list(parser.parse(str(path), constraint=False))
    except Exception as exc:  # a line pip refuses stops pip's whole file; record it
        errors.append({"file": rel(path), "message": str(exc)})
        return
    for parsed_line in lines:
        reached.add(Path(parsed_line.filename).resolve())
        if not parsed_line.is_requirement:
            continue
        parsed = handle_requirement_line(parsed_line)
        file = rel(Path(parsed_line.filename).resolve())
        key = (file, parsed_line.lineno)
        if parsed.is_editable:
            # An editable local project is not on this machine: give pip an empty stand-in
            # (pip checks that the directory holds a project before it reads the line).
            local = re.sub(r"\[[^\]]*\]$", "", parsed.requirement)
            if local.startswith((".", "/")) and not local.startswith("//"):
                Path(local).mkdir(parents=True, exist_ok=True)
                (Path(local) / "pyproject.toml").write_text("")
        try:
            ireq = install_req_from_parsed_requirement(parsed)
        except Exception as exc:
            errors.append({"file": file, "line": parsed_line.lineno, "message": str(exc)})
            continue
        spec = spec_text(ireq)
        found = entry(
            name=name(ireq.req.name) if ireq.req is not None else None,
            version=exact_version(spec),
            specifier=spec,
            extras=sorted({extra(e) for e in ireq.extras}),
            marker=marker(str(ireq.markers)) if ireq.markers is not None else None,
            source=source_of(ireq),
            editable=bool(ireq.editable),
            kind="constraint" if parsed.constraint else "requirement",
            group="main",
            direct=True,
            file=file,
            line=parsed_line.lineno,
        )
        previous = results.get(key)
        # Reached both ways (-r somewhere, -c elsewhere): pip installs it, so it is a requirement.
        if previous is None or previous["kind"] == "constraint":
            results[key] = found


def main() -> None:
    warnings.simplefilter("ignore")
    assert pip.__version__ == "23.2.1", f"written against pip 23.2.1, found {pip.__version__}"
    files = [p.resolve() for p in sorted(FILES.rglob("*")) if p.is_file() and is_requirements_file(p)]
    # A file included by another is read through that file (so -c marks it a constraint).
    included: set = set()
    for f in files:
        sink_results: dict = {}
        sink_reached: set = set()
        with tempfile.TemporaryDirectory() as tmp:
            cwd = os.getcwd()
            os.chdir(tmp)
            try:
                parse_root(f, sink_results, [], sink_reached)
            finally:
                os.chdir(cwd)
        included |= {p for p in sink_reached if p != f}
    roots = [f for f in files if f not in included]
    results: dict = {}
    errors: list = []
    reached: set = set()
    for f in roots:
        with tempfile.TemporaryDirectory() as tmp:
            cwd = os.getcwd()
            os.chdir(tmp)
            try:
                parse_root(f, results, errors, reached)
            finally:
                os.chdir(cwd)
    for e in errors:
        print("pip refused:", e)
    write("requirements", f"pip {pip.__version__} RequirementsFileParser + install_req_from_parsed_requirement; markers and specifiers printed by packaging", list(results.values()),
          [{"file": e["file"], "line": e.get("line")} for e in errors])


if __name__ == "__main__":
    main()
