#!/usr/bin/env python3
"""Reference matcher for OSV PyPI advisories, built on pypa/packaging, and a case generator.

A development tool, not run by CI. It implements the "Matching semantics" section of
test/fixtures/osv/README.md literally, on `packaging.version.Version` (the copy pip vendors:
pip 23.2.1 ships packaging 21.3), so that `depwatch check --offline --json` can be checked
against an implementation that shares none of its code.

    python3 tools/reference/osv_reference.py generate [--seed N] [--out FILE]
        writes test/reference/cases.json: (name, version) cases in every category the
        audit-engine acceptance test names, each with the reference's expected matches.
    python3 tools/reference/osv_reference.py match NAME==VERSION ...
        prints the reference result list (README format) for the given queries, as JSON.

Only the standard library and pip's vendored packaging are used (no PyPI access needed).
"""
from __future__ import annotations

import argparse
import gzip
import json
import random
import re
import sys
from pathlib import Path
from typing import Any, Iterable

from pip._vendor.packaging import __version__ as PACKAGING_VERSION
from pip._vendor.packaging.version import InvalidVersion, Version

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "test" / "fixtures" / "osv" / "advisories.jsonl.gz"
DEFAULT_OUT = ROOT / "test" / "reference" / "cases.json"
DEFAULT_SEED = 20241010

Record = dict[str, Any]


# --- the matcher (README "Matching semantics", rule by rule) ----------------------------------


def normalize_name(name: str) -> str:
    """PEP 503: lowercase; every run of -, _ and . becomes one -."""
    return re.sub(r"[-_.]+", "-", name).lower()


def parse(text: str) -> Version | None:
    try:
        return Version(text)
    except InvalidVersion:
        return None


def load_records(path: Path = FIXTURE) -> list[Record]:
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def entries_for(record: Record, name: str) -> list[dict[str, Any]]:
    wanted = normalize_name(name)
    return [
        entry
        for entry in record.get("affected", [])
        if entry.get("package", {}).get("ecosystem") == "PyPI"
        and normalize_name(entry["package"]["name"]) == wanted
    ]


def in_versions_list(entry: dict[str, Any], version: str) -> bool:
    query = parse(version)
    for listed in entry.get("versions", []):
        if listed == version:
            return True
        other = parse(listed)
        if query is not None and other is not None and query == other:
            return True
    return False


# Sort keys: `introduced: "0"` is below every version; on equal versions fixed / last_affected /
# limit come before introduced.
_BOTTOM = (0,)
_CLOSING_FIRST = {"fixed": 0, "last_affected": 0, "limit": 0, "introduced": 1}


def in_ecosystem_range(events: list[dict[str, str]], version: str) -> bool:
    v = parse(version)
    if v is None:
        return False  # a non-PEP 440 query version is in no range
    walked: list[tuple[tuple, int, str, Version | None]] = []
    limits: list[Version | None] = []  # None: limit "*" (no bound)
    for event in events:
        ((kind, value),) = event.items()
        if kind == "introduced" and value == "0":
            walked.append((_BOTTOM, _CLOSING_FIRST[kind], kind, None))
            continue
        if kind == "limit" and value == "*":
            limits.append(None)
            continue
        parsed = parse(value)
        if parsed is None:
            continue  # an event value that is not valid PEP 440 is ignored
        if kind == "limit":
            limits.append(parsed)
        else:
            walked.append(((1, parsed), _CLOSING_FIRST[kind], kind, parsed))
    walked.sort(key=lambda e: (e[0], e[1]))

    affected = False
    for _, _, kind, value in walked:
        if kind == "introduced":
            if value is None or v >= value:
                affected = True
        elif kind == "fixed":
            if v >= value:
                affected = False
        elif kind == "last_affected":
            if v > value:
                affected = False
    if affected and limits:
        affected = any(limit is None or v < limit for limit in limits)
    return affected


def entry_affects(entry: dict[str, Any], version: str) -> bool:
    if in_versions_list(entry, version):
        return True
    return any(
        in_ecosystem_range(r["events"], version) for r in entry.get("ranges", []) if r.get("type") == "ECOSYSTEM"
    )


def fixed_versions(entry: dict[str, Any]) -> list[str]:
    fixed: dict[str, Version] = {}
    for r in entry.get("ranges", []):
        if r.get("type") != "ECOSYSTEM":
            continue
        for event in r["events"]:
            value = event.get("fixed")
            if value is not None and parse(value) is not None:
                fixed[value] = Version(value)
    return sorted(fixed, key=lambda text: (fixed[text], text))


def match(records: Iterable[Record], queries: list[tuple[str, str]]) -> list[dict[str, Any]]:
    by_package: dict[str, list[Record]] = {}
    for record in records:
        for entry in record.get("affected", []):
            if entry.get("package", {}).get("ecosystem") == "PyPI":
                bucket = by_package.setdefault(normalize_name(entry["package"]["name"]), [])
                if record not in bucket:
                    bucket.append(record)
    results: list[dict[str, Any]] = []
    for name, version in queries:
        hits = []
        for record in by_package.get(normalize_name(name), []):
            if "withdrawn" in record:
                continue
            matching = [e for e in entries_for(record, name) if entry_affects(e, version)]
            if not matching:
                continue
            fixed: dict[str, Version] = {}
            for entry in matching:
                for text in fixed_versions(entry):
                    fixed[text] = Version(text)
            hits.append(
                {
                    "name": name,
                    "version": version,
                    "advisory_id": record["id"],
                    "aliases": list(record.get("aliases", [])),
                    "fixed_versions": sorted(fixed, key=lambda t: (fixed[t], t)),
                }
            )
        results.extend(sorted(hits, key=lambda h: h["advisory_id"]))
    return results


# --- the case generator ------------------------------------------------------------------------


def event_values(record: Record) -> list[tuple[str, str]]:
    out = []
    for entry in record.get("affected", []):
        for r in entry.get("ranges", []):
            if r.get("type") == "ECOSYSTEM":
                for event in r["events"]:
                    ((kind, value),) = event.items()
                    out.append((kind, value))
    return out


def neighbours(value: str, rng: random.Random) -> list[str]:
    """Versions at, just below and just above an event value, in several spellings."""
    v = parse(value)
    if v is None:
        return [value]
    release = list(v.release)
    out = [value, f"{value}.dev0", f"{value}.post1", f"{value}+local.1", f"{value}.0"]
    if v.pre is None and v.dev is None and v.post is None and v.local is None:
        out += [f"{value}rc1", f"{value}a1", f"{value}-beta.2"]
    last = release[-1]
    if last > 0:
        lower = release[:-1] + [last - 1]
        out.append(".".join(map(str, lower)))
        out.append(".".join(map(str, lower)) + ".999")
    out.append(".".join(map(str, release[:-1] + [last + 1])))
    # Spellings: a leading v, an explicit zero epoch, upper case, a hyphenated post release.
    out += [f"v{value}", f"0!{value}", value.upper(), f"{value}-1"]
    rng.shuffle(out)
    return out


def name_variants(name: str, rng: random.Random) -> list[str]:
    """The same project written the ways people write it: case, `_`, `.`, runs of separators."""
    parts = re.split(r"[-_.]+", name)
    out = {name, name.upper(), name.title(), name.replace("-", "_"), name.replace("-", ".")}
    if len(parts) > 1:
        out.add("_".join(p.capitalize() for p in parts))  # Python_Jose
        out.add("-_".join(parts))
        out.add("..".join(p.upper() for p in parts))
    out.discard("")
    return sorted(out - {name}) or [name.upper()]


def listed_spellings(version: str) -> list[str]:
    """Other spellings of a valid listed version: normal form, trailing zeros, leading v, hyphens."""
    v = parse(version)
    if v is None:
        return []
    out = {str(v), f"v{version}", f"{v.public}.0" if v.local is None and not (v.pre or v.dev or v.post) else str(v)}
    if v.pre is not None:
        label = {"a": "alpha", "b": "beta", "rc": "rc"}[v.pre[0]]
        out.add(f"{v.base_version}-{label}{v.pre[1]}")
    out.add(f"0!{v}")
    out.discard(version)
    return sorted(out)


def generate(records: list[Record], seed: int) -> list[dict[str, str]]:
    rng = random.Random(seed)
    live = [r for r in records if "withdrawn" not in r]
    withdrawn = [r for r in records if "withdrawn" in r]
    package_of = {r["id"]: r["affected"][0]["package"]["name"] for r in records if r.get("affected")}
    cases: list[dict[str, str]] = []
    seen: set[tuple[str, str]] = set()
    by_package: dict[str, list[Record]] = {}
    for record in live:
        if record["id"] in package_of:
            by_package.setdefault(package_of[record["id"]], []).append(record)

    def sample(k: int, pool: list[Record] | None = None) -> list[Record]:
        """k records of k different packages: sampling records would mostly pick tensorflow's."""
        groups = by_package if pool is None else {}
        if pool is not None:
            for record in pool:
                groups.setdefault(package_of[record["id"]], []).append(record)
        names = rng.sample(sorted(groups), min(k, len(groups)))
        return [rng.choice(groups[name]) for name in names]

    def add(category: str, name: str, version: str) -> None:
        if (name, version) in seen or not version or version != version.strip():
            return
        seen.add((name, version))
        cases.append({"category": category, "name": name, "version": version})

    # 1. Boundaries at each event: at, just below and just above introduced / fixed / last_affected.
    for record in sample(32):
        name = package_of[record["id"]]
        for kind, value in event_values(record):
            for version in neighbours(value, rng)[:3]:
                add(f"boundary-{kind}", name, version)

    # 2. Explicit versions lists: listed spellings as written, and in other spellings of the same version.
    with_versions = [r for r in live if any(e.get("versions") for e in r.get("affected", []))]
    for record in sample(32, with_versions):
        listed = [v for e in record["affected"] for v in e.get("versions", [])]
        for version in rng.sample(listed, min(2, len(listed))):
            add("versions-list", package_of[record["id"]], version)
            for spelled in rng.sample(listed_spellings(version), min(1, len(listed_spellings(version)))):
                add("versions-list-spelling", package_of[record["id"]], spelled)

    # 3. Non-PEP 440 versions from `versions` lists (`0.7.10p1`), exact and near misses.
    invalid_listed = sorted(
        {(package_of[r["id"]], v) for r in live for e in r.get("affected", []) for v in e.get("versions", []) if parse(v) is None}
    )
    for name, version in rng.sample(invalid_listed, 40):
        add("non-pep440-listed", name, version)
    for name, version in rng.sample(invalid_listed, 10):
        add("non-pep440-unlisted", name, version + "x")
        add("non-pep440-unlisted", name, version.upper())

    # 4. Name normalisation: the package written non-normalised (Python_Jose, python.jose, JW_Util).
    for record in sample(40):
        name = package_of[record["id"]]
        listed = [v for e in record["affected"] for v in e.get("versions", [])]
        values = [value for _, value in event_values(record) if parse(value) is not None and value != "0"]
        version = rng.choice(listed or values or ["1.0"])
        add("name-normalisation", rng.choice(name_variants(name, rng)), version)
    for name, version in [("Python_Jose", "3.3.0"), ("python.jose", "3.0.0"), ("JW_Util", "1.0"), ("jw-util", "1.0"), ("JW.UTIL", "1.2")]:
        add("name-normalisation", name, version)

    # 5. Pre-, post- and local releases, and epochs, around real event values.
    for record in sample(50):
        name = package_of[record["id"]]
        valid = [value for _, value in event_values(record) if parse(value) is not None and value != "0"]
        if not valid:
            continue
        value = rng.choice(valid)
        add("pre-release", name, rng.choice([f"{value}a1", f"{value}b2", f"{value}rc1", f"{value}-rc", f"{value}-alpha2", f"{value}.dev3", f"{value}c1"]))
        add("post-release", name, rng.choice([f"{value}.post1", f"{value}-1", f"{value}.post0", f"{value}-r2", f"{value}post5"]))
        add("local-release", name, rng.choice([f"{value}+local", f"{value}+ubuntu.1", f"{value}+LOCAL-2", f"{value}.0+deb1"]))
        add("epoch", name, rng.choice([f"1!{value}", f"0!{value}", f"1!0.5", f"2!{value}.post1"]))

    # 6. Withdrawn records: their exact affected versions (never reported for the withdrawn record).
    for record in withdrawn:
        name = package_of.get(record["id"])
        if name is None:
            continue
        listed = [v for e in record["affected"] for v in e.get("versions", [])]
        for version in rng.sample(listed, min(4, len(listed))):
            add("withdrawn", name, version)
        for kind, value in event_values(record):
            if value != "0":
                add("withdrawn", name, value)

    # 7. Points of the data the README calls out, and packages nothing names.
    for name, version in [
        ("apache-iotdb", "0.13.0"), ("apache-iotdb", "0.13.3"), ("apache-iotdb", "0.12.9"), ("apache-iotdb", "0.14.0rc1"),
        ("pyspark", "3.2.0"), ("pyspark", "3.2.1"), ("pyspark", "3.2.2"), ("pyspark", "3.1.1"),
        ("wagtail", "2.11.6"), ("wagtail", "2.11.7"), ("wagtail", "2.11.5"),
        ("py", "1.11.0"), ("py", "1.11.1"), ("py", "1.10.0"),
        ("binderhub", "0.2.0"), ("binderhub", "99.0"), ("steam", "1.0"), ("steam", "2019.9.12"),
        ("django", "3.2a1"), ("django", "3.2rc1"), ("django", "4.2b1"), ("django", "4.2.0-beta1"),
        ("gevent", "23.9.0"), ("gevent", "23.9.0.post1"), ("gevent", "23.9.1"),
        ("gratient", "0.5"), ("gratient", "0.5.0"), ("gratient", "0.6"),
        ("loguru", "0.5.3"), ("buildbot", "0.7.10p1"), ("buildbot", "0.7.10"),
        ("ipython", "0.7.1.fix1"), ("joblib", "0.3.2d"), ("cherrypy", "2.0.0-final"), ("CherryPy", "2.0.0-FINAL"),
        ("zz-no-such-package", "1.0"), ("requests-nonexistent", "0.1"), ("0", "0"),
        ("django", "0.dev0"), ("django", "0"), ("django", "1!0.5"), ("django", "v1.0"), ("django", "1.0-rc"),
        ("django", "99999.0"), ("django", "1.0.0+local"),
    ]:
        add("called-out", name, version)
    return cases


def build(records: list[Record], seed: int) -> dict[str, Any]:
    cases = generate(records, seed)
    results = match(records, [(c["name"], c["version"]) for c in cases])
    by_query: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for result in results:
        by_query.setdefault((result["name"], result["version"]), []).append(
            {k: result[k] for k in ("advisory_id", "aliases", "fixed_versions")}
        )
    for case in cases:
        case["matches"] = by_query.get((case["name"], case["version"]), [])
    return {
        "about": "Expected OSV matches for (name, version) queries against test/fixtures/osv/advisories.jsonl.gz, "
        "computed by tools/reference/osv_reference.py (README 'Matching semantics') on packaging.version.Version.",
        "packaging": PACKAGING_VERSION,
        "seed": seed,
        "cases": cases,
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    gen = sub.add_parser("generate")
    gen.add_argument("--seed", type=int, default=DEFAULT_SEED)
    gen.add_argument("--out", type=Path, default=DEFAULT_OUT)
    one = sub.add_parser("match")
    one.add_argument("queries", nargs="+", metavar="NAME==VERSION")
    args = parser.parse_args(argv)

    records = load_records()
    if args.command == "match":
        queries = []
        for query in args.queries:
            name, sep, version = query.partition("==")
            if not sep:
                parser.error(f"{query!r}: expected NAME==VERSION")
            queries.append((name, version))
        json.dump(match(records, queries), sys.stdout, indent=2)
        sys.stdout.write("\n")
        return 0

    document = build(records, args.seed)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    # One case per line: reviewable in a diff, and a tenth of the size of an indented dump.
    head = {k: v for k, v in document.items() if k != "cases"}
    lines = [json.dumps(case, ensure_ascii=False, separators=(",", ":")) for case in document["cases"]]
    text = json.dumps(head, indent=1)[:-2] + ',\n "cases": [\n' + ",\n".join(lines) + "\n ]\n}\n"
    json.loads(text)  # the hand-joined document must still be one JSON value
    args.out.write_text(text, encoding="utf-8")
    cases = document["cases"]
    categories: dict[str, int] = {}
    for case in cases:
        categories[case["category"]] = categories.get(case["category"], 0) + 1
    matched = sum(1 for c in cases if c["matches"])
    print(f"{len(cases)} cases ({matched} with matches) -> {args.out}", file=sys.stderr)
    for category, count in sorted(categories.items()):
        print(f"  {category:26} {count}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
