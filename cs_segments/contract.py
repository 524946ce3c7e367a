"""The raw input contract, read from the one list of raw tables.

models/staging/raw/_raw__sources.yml declares every raw table: its columns,
which of them are optional, its primary key and whether the table itself is
optional. The generator, the commands and the tests read it from here, so
the list is kept in one place.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
SOURCES_YML = ROOT / "models" / "staging" / "raw" / "_raw__sources.yml"


@dataclass(frozen=True)
class RawTable:
    """One raw table of the contract."""

    name: str
    primary_key: str
    optional: bool
    columns: tuple[str, ...]
    required_columns: tuple[str, ...]


def _meta(entry: dict) -> dict:
    meta = dict(entry.get("meta") or {})
    meta.update((entry.get("config") or {}).get("meta") or {})
    return meta


@lru_cache(maxsize=None)
def raw_tables() -> tuple[RawTable, ...]:
    """Every raw table of the contract, in the order the YAML lists them."""
    with open(SOURCES_YML, encoding="utf-8") as handle:
        doc = yaml.safe_load(handle)
    (source,) = [s for s in doc["sources"] if s["name"] == "raw"]
    tables = []
    for entry in source["tables"]:
        meta = _meta(entry)
        columns = entry.get("columns") or []
        tables.append(RawTable(
            name=entry["name"],
            primary_key=meta["primary_key"],
            optional=bool(meta.get("optional", False)),
            columns=tuple(c["name"] for c in columns),
            required_columns=tuple(
                c["name"] for c in columns if not _meta(c).get("optional")),
        ))
    return tuple(tables)


def table_names() -> list[str]:
    """Names of the raw tables."""
    return [table.name for table in raw_tables()]


def table_keys() -> dict[str, str]:
    """{table name: primary key column}."""
    return {table.name: table.primary_key for table in raw_tables()}
