"""Expected `depwatch deps` entries for the TOML, JSON and INI formats of the corpus.

Written from each format's documented meaning, with Python's tomllib / json / configparser and
pypa/packaging, without looking at Depwatch's TypeScript:

- pyproject.toml: PEP 621 `[project]` dependencies (group `main`) and optional-dependencies (group =
  extra); PEP 735 `[dependency-groups]` with `include-group` expanded into the including group;
  Poetry `[tool.poetry.dependencies]` (`python` is the interpreter, not a package; an optional
  dependency belongs to the extras that list it), `dev-dependencies` (group `dev`),
  `[tool.poetry.group.<g>.dependencies]`; `[tool.uv] dev-dependencies`, `[tool.pdm.dev-dependencies]`;
  `[tool.uv.sources]` replaces the registry for that name (workspace members are editable paths).
  Build requirements and tool-specific dynamic metadata are not dependencies of the project.
- Poetry constraints follow poetry-core's documented reading: `^V` up to the next breaking
  release, `~V` up to the next minor (next major for a bare major), printed with V's precision.
- poetry.lock: one locked entry per [[package]]; group from `groups` (2.1) or `category` (1.x).
- uv.lock: the project's own packages are not dependencies; the others are direct when a project
  package names them (group: `main` for dependencies, the extra, or the first dev group naming them).
- pdm.lock: group from `groups` (`default` is `main`); lock 3.x has none, so `main`.
- Pipfile / Pipfile.lock: `packages`/`default` are `main`, `dev-packages`/`develop` are `dev`.
  A Pipfile entry's PEP 508 marker-variable keys (`sys_platform = "== 'linux'"`) are markers, joined
  to `markers` with `and` (pipenv's Pipfile documentation).
- setup.cfg: `[options] install_requires` and `[options.extras_require]`, as setuptools reads them.

Run: python3 tools/corpus/toml_reference.py
"""
from __future__ import annotations

import configparser
import json
import re
import sys
import tomllib
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from common import FILES, entry, exact_version, extra, line_of, marker, name, package_header_lines, rel, specifier, write  # noqa: E402

from packaging.requirements import Requirement  # noqa: E402
from packaging.version import Version  # noqa: E402


# ---------------------------------------------------------------------------------------------
# Finding lines in the text (tomllib keeps no positions)
# ---------------------------------------------------------------------------------------------

def table_line(text: str, header: str) -> int | None:
    pattern = re.compile(r"^\s*\[\s*" + re.escape(header) + r"\s*\]\s*(#.*)?$")
    for i, line in enumerate(text.split("\n")):
        if pattern.match(line):
            return i + 1
    return None


def key_line(text: str, key: str, start: int) -> int | None:
    pattern = re.compile(r"^\s*(" + re.escape(key) + r"|\"" + re.escape(key) + r"\"|'" + re.escape(key) + r"')\s*=")
    lines = text.split("\n")
    for i in range(start - 1, len(lines)):
        if i >= start and lines[i].lstrip().startswith("["):
            return None
        if pattern.match(lines[i]):
            return i + 1
    return None


class ArrayCursor:
    """Lines of the string elements of one array, found in order from the array's key."""

    def __init__(self, text: str, start: int):
        self.lines = text.split("\n")
        self.at = start

    def find(self, value: str) -> int:
        for quoted in (json.dumps(value), f"'{value}'"):
            for i in range(self.at - 1, len(self.lines)):
                if quoted in self.lines[i]:
                    self.at = i + 1
                    return i + 1
        raise LookupError(value)


def array_lines(text: str, header: str, key: str) -> ArrayCursor:
    start = table_line(text, header)
    if start is None:
        raise LookupError(header)
    line = key_line(text, key, start)
    if line is None:
        raise LookupError(f"{header}.{key}")
    return ArrayCursor(text, line)


# ---------------------------------------------------------------------------------------------
# PEP 508 strings
# ---------------------------------------------------------------------------------------------

def source_of_url(url: str | None) -> str:
    if url is None:
        return "registry"
    lower = url.lower()
    if re.match(r"^(git|hg|svn|bzr)\+", lower):
        return "vcs"
    if lower.startswith("file:"):
        return "path"
    return "url"


def from_pep508(text: str, file: str, group: str, line: int, kind: str = "requirement") -> dict:
    r = Requirement(text)
    spec = str(r.specifier)
    src = source_of_url(r.url)
    return entry(
        name=name(r.name),
        version=exact_version(spec) if src == "registry" else None,
        specifier=spec,
        extras=sorted({extra(e) for e in r.extras}),
        marker=str(r.marker) if r.marker is not None else None,
        source=src,
        editable=False,
        kind=kind,
        group=group,
        direct=True,
        file=file,
        line=line,
    )


# ---------------------------------------------------------------------------------------------
# Poetry constraints (poetry-core's reading, printed with the written precision)
# ---------------------------------------------------------------------------------------------

def _release(v: str) -> list[int]:
    return [int(x) for x in re.match(r"^v?(\d+(?:\.\d+)*)", v).group(1).split(".")]


def _bump(parts: list[int], index: int) -> str:
    bumped = list(parts)
    while len(bumped) <= index:
        bumped.append(0)
    bumped[index] += 1
    for i in range(index + 1, len(bumped)):
        bumped[i] = 0
    return ".".join(str(p) for p in bumped)


def poetry_clause(c: str) -> str:
    c = c.strip()
    if c in ("*", ""):
        return ""
    if c.startswith("^"):
        v = c[1:].strip()
        parts = _release(v)
        if parts[0] != 0 or len(parts) == 1:
            upper = _bump(parts, 0)
        elif parts[1] != 0 or len(parts) == 2:
            upper = _bump(parts, 1)
        else:
            upper = _bump(parts, 2)
        return f">={v},<{upper}"
    if c.startswith("~") and not c.startswith("~="):
        v = c[1:].strip()
        parts = _release(v)
        upper = _bump(parts, 0) if len(parts) == 1 else _bump(parts, 1)
        return f">={v},<{upper}"
    m = re.match(r"^(===|==|!=|<=|>=|<|>|~=|=)?\s*(.+)$", c)
    op = m.group(1) or "=="
    return f"{'==' if op == '=' else op}{m.group(2).strip()}"


def poetry_constraint(text: str) -> str:
    clauses = [poetry_clause(c) for c in re.split(r"\s*,\s*|\s+(?=[<>=!~^])", text.strip()) if c.strip()]
    return specifier(",".join(c for c in clauses if c))


def _python_bound(clause: str) -> str:
    op, version = re.match(r"^(~=|===|==|!=|<=|>=|<|>)(.+)$", clause).groups()
    precision = len(_release(version))
    # python_version holds major.minor only: poetry-core compares python_full_version for bounds
    # written with three components, and for `>` / `<=` bounds written with fewer (padded).
    if op in (">", "<=") and precision < 3:
        padded = ".".join((version.split(".") + ["0", "0"])[:3])
        return f'python_full_version {op} "{padded}"'
    variable = "python_full_version" if precision >= 3 else "python_version"
    return f'{variable} {op} "{version}"'


def python_marker(constraint: str) -> str | None:
    """poetry-core's create_nested_marker: each range's lower bound first, then its upper bound;
    `||` alternatives joined with `or`."""
    alternatives = []
    for alternative in re.split(r"\s*\|\|?\s*", constraint.strip()):
        clauses = [poetry_clause(c) for c in re.split(r"\s*,\s*|\s+(?=[<>=!~^])", alternative.strip()) if c.strip()]
        parts = [part for clause in clauses for part in clause.split(",") if part]
        if not parts:
            return None
        lower = [p for p in parts if p.startswith(">")]
        upper = [p for p in parts if p.startswith("<")]
        other = [p for p in parts if not p.startswith((">", "<"))]
        alternatives.append(" and ".join(_python_bound(p) for p in lower + upper + other))
    return " or ".join(alternatives)


def poetry_entry(raw_name: str, value, file: str, group: str, line: int) -> tuple[dict, bool]:
    if isinstance(value, str):
        value = {"version": value}
    spec = poetry_constraint(value.get("version", "*"))
    markers = []
    if "markers" in value:
        markers.append(value["markers"])
    if "python" in value:
        pm = python_marker(value["python"])
        if pm:
            markers.append(pm)
    combined = " and ".join(f"({m})" if " or " in m else m for m in markers) or None
    src, editable = "registry", False
    if "git" in value:
        src = "vcs"
    elif "path" in value:
        src, editable = "path", bool(value.get("develop", False))
    elif "url" in value:
        src = source_of_url(value["url"])
    return entry(
        name=name(raw_name),
        version=exact_version(spec) if src == "registry" else None,
        specifier=spec,
        extras=sorted({extra(e) for e in value.get("extras", [])}),
        marker=marker(combined),
        source=src,
        editable=editable,
        kind="requirement",
        group=group,
        direct=True,
        file=file,
        line=line,
    ), bool(value.get("optional", False))


# ---------------------------------------------------------------------------------------------
# pyproject.toml
# ---------------------------------------------------------------------------------------------

def pyproject(path: Path) -> list[dict]:
    text = path.read_text(encoding="utf-8")
    doc = tomllib.loads(text)
    file = rel(path)
    out: list[dict] = []

    project = doc.get("project", {})
    if isinstance(project.get("dependencies"), list):
        cursor = array_lines(text, "project", "dependencies")
        for s in project["dependencies"]:
            out.append(from_pep508(s, file, "main", cursor.find(s)))
    for extra_name, items in project.get("optional-dependencies", {}).items():
        cursor = array_lines(text, "project.optional-dependencies", extra_name)
        for s in items:
            out.append(from_pep508(s, file, extra_name, cursor.find(s)))

    groups = doc.get("dependency-groups", {})
    own_lines: dict[str, list[tuple[str, int]]] = {}
    for g, items in groups.items():
        cursor = array_lines(text, "dependency-groups", g)
        own_lines[g] = [(s, cursor.find(s)) for s in items if isinstance(s, str)]

    def expand(g: str, seen: tuple) -> list[tuple[str, int]]:
        result = []
        string_at = iter(own_lines[g])
        for item in groups[g]:
            if isinstance(item, dict):
                target = next(k for k in groups if name(k) == name(item["include-group"]))
                if target not in seen:
                    result += expand(target, seen + (target,))
            else:
                result.append(next(string_at))
        return result

    for g in groups:
        for s, line in expand(g, (g,)):
            out.append(from_pep508(s, file, g, line))

    poetry = doc.get("tool", {}).get("poetry", {})
    extras_of: dict[str, list[str]] = {}
    for extra_name, names in poetry.get("extras", {}).items():
        for n in names:
            extras_of.setdefault(name(re.split(r"[\s\[<>=!~;(]", n)[0]), []).append(extra_name)
    tables = [("tool.poetry.dependencies", poetry.get("dependencies"), "main"), ("tool.poetry.dev-dependencies", poetry.get("dev-dependencies"), "dev")]
    for g, body in poetry.get("group", {}).items():
        tables.append((f"tool.poetry.group.{g}.dependencies", body.get("dependencies"), g))
    for header, table, group in tables:
        if not isinstance(table, dict):
            continue
        start = table_line(text, header)
        for raw_name, value in table.items():
            if raw_name.lower() == "python":
                continue
            line = key_line(text, raw_name, start)
            dep, optional = poetry_entry(raw_name, value, file, group, line)
            if optional and group == "main" and extras_of.get(dep["name"]):
                for extra_name in extras_of[dep["name"]]:
                    out.append({**dep, "group": extra_name})
            else:
                out.append(dep)

    tool = doc.get("tool", {})
    for g, items in tool.get("pdm", {}).get("dev-dependencies", {}).items():
        cursor = array_lines(text, "tool.pdm.dev-dependencies", g)
        for s in items:
            out.append(from_pep508(s, file, g, cursor.find(s)))
    if "dev-dependencies" in tool.get("uv", {}):
        cursor = array_lines(text, "tool.uv", "dev-dependencies")
        for s in tool["uv"]["dev-dependencies"]:
            out.append(from_pep508(s, file, "dev", cursor.find(s)))

    for raw_name, source in tool.get("uv", {}).get("sources", {}).items():
        if isinstance(source, list):
            source = source[0]
        if "workspace" in source:
            src, editable = "path", source.get("editable", True)
        elif "git" in source:
            src, editable = "vcs", False
        elif "path" in source:
            src, editable = "path", bool(source.get("editable", False))
        elif "url" in source:
            src, editable = source_of_url(source["url"]), False
        else:
            continue
        for dep in out:
            if dep["name"] == name(raw_name) and dep["source"] == "registry":
                dep.update(source=src, editable=editable, version=None)
    return out


# ---------------------------------------------------------------------------------------------
# Lockfiles
# ---------------------------------------------------------------------------------------------

def locked(n, version, file, line, group="main", marker_text=None, src="registry", editable=False, extras=(), direct=True):
    return entry(
        name=name(n),
        version=version,
        specifier=f"=={version}" if version else "",
        extras=sorted({extra(e) for e in extras}),
        marker=marker(marker_text),
        source=src,
        editable=editable,
        kind="locked",
        group=group,
        direct=direct,
        file=file,
        line=line,
    )


def poetry_lock(path: Path) -> list[dict]:
    text = path.read_text(encoding="utf-8")
    doc = tomllib.loads(text)
    lines = package_header_lines(text)
    out = []
    for p, line in zip(doc.get("package", []), lines):
        group = (p.get("groups") or [p.get("category") or "main"])[0]
        markers = p.get("markers")
        if isinstance(markers, dict):
            markers = markers.get(group)
        src = {"git": "vcs", "directory": "path", "file": "path", "url": "url"}.get(p.get("source", {}).get("type"), "registry")
        out.append(locked(p["name"], p["version"], rel(path), line, group, markers or p.get("marker"), src, bool(p.get("develop", False))))
    return out


def uv_lock(path: Path) -> list[dict]:
    text = path.read_text(encoding="utf-8")
    doc = tomllib.loads(text)
    packages = doc.get("package", [])
    lines = package_header_lines(text)
    members = {name(m) for m in doc.get("manifest", {}).get("members", [])}
    for p in packages:
        s = p.get("source", {})
        if s.get("editable") == "." or s.get("virtual") == ".":
            members.add(name(p["name"]))
    uses: dict[str, dict] = {}

    def note(ref, group, rank):
        n = name(ref["name"])
        if n in members:
            return
        u = uses.setdefault(n, {"group": group, "rank": rank, "marker": ref.get("marker"), "extras": set()})
        u["extras"] |= set(ref.get("extra", []))
        if rank < u["rank"]:
            u.update(group=group, rank=rank, marker=ref.get("marker"))

    for p in packages:
        if name(p["name"]) not in members:
            continue
        for ref in p.get("dependencies", []):
            note(ref, "main", 0)
        for x, refs in p.get("optional-dependencies", {}).items():
            for ref in refs:
                note(ref, x, 1)
        for g, refs in p.get("dev-dependencies", {}).items():
            for ref in refs:
                note(ref, g, 2)
    out = []
    for p, line in zip(packages, lines):
        n = name(p["name"])
        if n in members:
            continue
        s = p.get("source", {})
        src = "registry" if "registry" in s else "vcs" if "git" in s else "url" if "url" in s else "path"
        u = uses.get(n)
        out.append(locked(p["name"], p.get("version"), rel(path), line, u["group"] if u else "main", u["marker"] if u else None, src, "editable" in s, u["extras"] if u else (), u is not None))
    return out


def pdm_lock(path: Path) -> list[dict]:
    text = path.read_text(encoding="utf-8")
    doc = tomllib.loads(text)
    out = []
    for p, line in zip(doc.get("package", []), package_header_lines(text)):
        group = (p.get("groups") or ["default"])[0]
        src = "vcs" if any(k in p for k in ("git", "hg", "svn", "bzr")) else "path" if "path" in p else "url" if "url" in p else "registry"
        out.append(locked(p["name"], p.get("version"), rel(path), line, "main" if group == "default" else group, p.get("marker"), src, bool(p.get("editable", False)), p.get("extras", [])))
    return out


def pipfile_lock(path: Path) -> list[dict]:
    text = path.read_text(encoding="utf-8")
    doc = json.loads(text)
    out = []
    for section, entries in doc.items():
        if section == "_meta":
            continue
        start = line_of(text, f'"{section}": {{')
        group = {"default": "main", "develop": "dev"}.get(section, section)
        for raw_name, e in entries.items():
            line = line_of(text, f'"{raw_name}": {{', start)
            version = e["version"][2:] if e.get("version", "").startswith("==") else None
            src = "vcs" if any(k in e for k in ("git", "hg", "svn", "bzr")) else "path" if "path" in e else "url" if "file" in e else "registry"
            out.append(locked(raw_name, version, rel(path), line, group, e.get("markers"), src, bool(e.get("editable", False)), e.get("extras", [])))
    return out


# ---------------------------------------------------------------------------------------------
# Pipfile and setup.cfg
# ---------------------------------------------------------------------------------------------

# PEP 508 marker variables; pipenv's Pipfile docs let any of them be a key of an entry
# (`sys_platform = "== 'linux'"`), read as `<key> <value>` and joined to `markers` with `and`.
PEP508_MARKER_VARIABLES = (
    "os_name", "sys_platform", "platform_machine", "platform_python_implementation", "platform_release",
    "platform_system", "platform_version", "python_version", "python_full_version", "implementation_name",
    "implementation_version",
)


def pipfile_marker(value: dict) -> str | None:
    parts = [value["markers"]] if value.get("markers") else []
    parts += [f"{key} {value[key]}" for key in PEP508_MARKER_VARIABLES if key in value]
    if len(parts) > 1:
        return " and ".join(f"({part})" for part in parts)
    return parts[0] if parts else None


def pipfile(path: Path) -> list[dict]:
    text = path.read_text(encoding="utf-8")
    doc = tomllib.loads(text)
    out = []
    for section, group in (("packages", "main"), ("dev-packages", "dev")):
        start = table_line(text, section)
        for raw_name, value in doc.get(section, {}).items():
            line = key_line(text, raw_name, start)
            if isinstance(value, str):
                value = {"version": value}
            v = value.get("version", "*").strip()
            spec = "" if v in ("*", "") else specifier(v)
            src = "vcs" if any(k in value for k in ("git", "hg", "svn", "bzr")) else "path" if "path" in value else "registry"
            out.append(entry(
                name=name(raw_name), version=exact_version(spec) if src == "registry" else None, specifier=spec,
                extras=sorted({extra(e) for e in value.get("extras", [])}), marker=marker(pipfile_marker(value)),
                source=src, editable=bool(value.get("editable", False)), kind="requirement", group=group,
                direct=True, file=rel(path), line=line,
            ))
    return out


def setup_cfg(path: Path) -> list[dict]:
    text = path.read_text(encoding="utf-8")
    cfg = configparser.ConfigParser(interpolation=configparser.BasicInterpolation())
    cfg.read_string(text)
    out = []

    def read(section: str, key: str, group: str):
        value = cfg.get(section, key)
        # setuptools' list parsing: one per line when the value spans lines, else `;`-separated.
        items = value.splitlines() if "\n" in value else value.split(";")
        start = key_line(text, key, table_line(text, section))
        for item in items:
            item = item.strip()
            if not item or item.startswith("#"):
                continue
            line = line_of(text, item, start)
            start = line
            out.append(from_pep508(item, rel(path), group, line))

    if cfg.has_option("options", "install_requires"):
        read("options", "install_requires", "main")
    if cfg.has_section("options.extras_require"):
        for key in cfg.options("options.extras_require"):
            read("options.extras_require", key, key)
    return out


FORMATS = {
    "pyproject": ("pyproject.toml", pyproject),
    "poetry-lock": ("poetry.lock", poetry_lock),
    "uv-lock": ("uv.lock", uv_lock),
    "pdm-lock": ("pdm.lock", pdm_lock),
    "pipfile": ("Pipfile", pipfile),
    "pipfile-lock": ("Pipfile.lock", pipfile_lock),
    "setup-cfg": ("setup.cfg", setup_cfg),
}


def main() -> None:
    for fmt, (filename, reader) in FORMATS.items():
        entries = []
        for path in sorted(FILES.rglob(filename)):
            entries += reader(path)
        write(fmt, f"tools/corpus/toml_reference.py ({fmt}): tomllib/json/configparser + packaging", entries)


if __name__ == "__main__":
    main()
