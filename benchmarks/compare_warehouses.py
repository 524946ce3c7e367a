"""Compare every table of two DuckDB warehouses, row for row.

    python benchmarks/compare_warehouses.py BEFORE.duckdb AFTER.duckdb

Used to check that a restructuring changes no result: build the same data
with the old commit and the new one (e.g. `git worktree add`), then compare.
For each table present in both (schema raw skipped: views over the files),
the rows of one not in the other are counted both ways with `except all`
(a multiset comparison) over the columns the two have in common; tables or
columns present on one side only are listed. Exit status 1 when any table
differs. Expected differences are the build's own record
(cs_build.last_invocation) and the as-published log's run columns. The
load-metadata columns (LOAD_METADATA_COLUMNS: when a row was written, the
high-water marks of the incremental usage panels, the date a run restated
the segment intervals from) are left out of the
comparison: they differ between any two builds by design.
"""

from __future__ import annotations

import sys

import duckdb

# int_usage_daily.loaded_at; usage_loaded_at of the usage panels and
# int_account_activation; restated_from of int_account_segment_intervals
# (null in a full build).
LOAD_METADATA_COLUMNS = frozenset(
    {"loaded_at", "usage_loaded_at", "restated_from"})


def _columns(con, db: str, schema: str, table: str) -> list[str]:
    return [row[0] for row in con.execute(
        "select column_name from information_schema.columns "
        "where table_catalog = ? and table_schema = ? and table_name = ? "
        "order by ordinal_position", [db, schema, table]).fetchall()]


def compare(before: str, after: str) -> int:
    con = duckdb.connect()
    con.execute(f"attach '{before}' as before_db (read_only)")
    con.execute(f"attach '{after}' as after_db (read_only)")

    def tables(db: str) -> set[tuple[str, str]]:
        return {(schema, name) for schema, name in con.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_catalog = ? and table_schema <> 'raw'",
            [db]).fetchall()}

    old, new = tables("before_db"), tables("after_db")
    for label, only in (("only before", old - new), ("only after", new - old)):
        for schema, name in sorted(only):
            print(f"{label}: {schema}.{name}")
    differing = 0
    for schema, name in sorted(old & new):
        cols_old = _columns(con, "before_db", schema, name)
        cols_new = _columns(con, "after_db", schema, name)
        common = [c for c in cols_old
                  if c in cols_new and c not in LOAD_METADATA_COLUMNS]
        if set(cols_old) != set(cols_new):
            print(f"{schema}.{name}: columns on one side only: "
                  f"{sorted(set(cols_old) ^ set(cols_new))}")
        select = ", ".join(f'"{c}"' for c in common)
        counts = [con.execute(
            f"select count(*) from (select {select} from {a}.{schema}.{name} "
            f"except all select {select} from {b}.{schema}.{name})"
        ).fetchone()[0] for a, b in (("before_db", "after_db"),
                                     ("after_db", "before_db"))]
        if any(counts):
            differing += 1
            print(f"DIFFERS {schema}.{name}: {counts[0]} rows only before, "
                  f"{counts[1]} only after")
    print(f"{len(old & new)} tables compared, {differing} differ")
    return 1 if differing else 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    sys.exit(compare(sys.argv[1], sys.argv[2]))
