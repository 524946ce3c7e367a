"""What a build was made from, to skip a scheduled run when nothing changed.

A fingerprint of one run's inputs: the content of every file in the raw
folder, the raw format and as-of date asked for, the project's own files
(models, macros, seeds, tests, snapshots, analyses, dbt_project.yml,
profiles.yml) and every CS_* setting in the environment except the paths
of the work and published databases, and the versions of dbt and DuckDB.
The main job writes it beside the published file after a publish; when the
next run's fingerprint is the same and that published file is still there,
the run has nothing to add and stops without building (`--force` rebuilds
anyway).

When only the data changed (same project files, settings and versions as
the published build), the main job leaves dbt's unit tests out of the
build: their inputs are fixed rows in the project, so they give the result
the published build's own run gave (`code_unchanged_since_publish`).
That holds only when this code did pass them in the chain of publications:
a build run with `--no-unit-tests` (its CI ran them) saves its record with
`unit_tests_passed: false`, unless the record before it, of the same code,
says they passed; the next build without the flag then runs them.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
from pathlib import Path

PROJECT_PARTS = ("models", "macros", "seeds", "tests", "snapshots",
                 "analyses", "dbt_project.yml", "profiles.yml")
# Where things go, not what is built: not part of the fingerprint.
IGNORED_SETTINGS = {"CS_DUCKDB_PATH", "CS_PUBLISHED_PATH",
                    "CS_DUCKDB_TEMP_DIR", "CS_DBT_THREADS"}
# What builds the warehouse besides the project: a new release may build
# or test differently.
TOOLS = ("dbt-core", "dbt-duckdb", "duckdb")
# The parts of a fingerprint that are code, not data: when these equal the
# published build's, dbt's unit tests (fixed inputs) would repeat its run.
CODE_PARTS = ("project", "settings", "tools")
_CHUNK = 1 << 20
# Saved with the fingerprint, not part of it: whether this code passed dbt's
# unit tests in the chain of publications (a record without it, written
# before the key existed, was written after they passed).
UNIT_TESTS_PASSED = "unit_tests_passed"


def _hash_file(path: Path, digest) -> None:
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)


def _hash_tree(root: Path, base: Path, digest) -> None:
    paths = [root] if root.is_file() else sorted(
        p for p in root.rglob("*") if p.is_file())
    for path in paths:
        digest.update(str(path.relative_to(base)).encode() + b"\0")
        _hash_file(path, digest)


def fingerprint(project_dir: Path, raw_dir: Path, raw_format: str,
                as_of_date: str | None) -> dict:
    """The fingerprint of one run's inputs (one hash per part)."""
    raw = hashlib.blake2b(digest_size=16)
    _hash_tree(raw_dir, raw_dir, raw)
    project = hashlib.blake2b(digest_size=16)
    for part in PROJECT_PARTS:
        if (project_dir / part).exists():
            _hash_tree(project_dir / part, project_dir, project)
    settings = {key: value for key, value in sorted(os.environ.items())
                if key.startswith("CS_") and key not in IGNORED_SETTINGS}
    return {
        "raw_files": raw.hexdigest(),
        "project": project.hexdigest(),
        "settings": settings,
        "tools": _tool_versions(),
        "raw_format": raw_format,
        "as_of_date": as_of_date,
    }


def _tool_versions() -> dict:
    versions = {}
    for tool in TOOLS:
        try:
            versions[tool] = importlib.metadata.version(tool)
        except importlib.metadata.PackageNotFoundError:
            versions[tool] = None
    return versions


def record_path(published: Path) -> Path:
    return published.with_name(published.name + ".inputs.json")


def _published_record(published: Path) -> dict | None:
    """The fingerprint the published file was built from, if both exist."""
    record = record_path(published)
    if not published.exists() or not record.exists():
        return None
    try:
        saved = json.loads(record.read_text())
    except (OSError, ValueError):
        return None
    return saved if isinstance(saved, dict) else None


def unchanged_since_publish(published: Path, current: dict) -> bool:
    """True when the published file exists and was built from `current`."""
    saved = _published_record(published)
    if saved is None:
        return False
    saved.pop(UNIT_TESTS_PASSED, None)
    return saved == current


def code_unchanged_since_publish(published: Path, current: dict) -> bool:
    """True when the published file exists and was built from the same
    project files, settings and tool versions as `current` (the data may
    differ), and that build's record says this code passed the unit tests.
    A record is only written after a build that passed every test it ran
    and was published; it says the unit tests passed when that build ran
    them, or left them out after a record of the same code that said so."""
    saved = _published_record(published)
    if saved is None or saved.get(UNIT_TESTS_PASSED, True) is not True:
        return False
    return all(part in saved and saved[part] == current[part]
               for part in CODE_PARTS)


def save(published: Path, current: dict,
         unit_tests_passed: bool = True) -> None:
    """Record `current` beside the published file, with whether its code
    passed dbt's unit tests (see code_unchanged_since_publish)."""
    record = record_path(published)
    temp = record.with_name(record.name + ".tmp")
    temp.write_text(json.dumps({**current, UNIT_TESTS_PASSED:
                                unit_tests_passed},
                               indent=2, sort_keys=True) + "\n")
    temp.replace(record)


def forget(published: Path) -> None:
    record_path(published).unlink(missing_ok=True)
