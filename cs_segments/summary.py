"""Plain-text summary of a built segmentation warehouse.

    python -m cs_segments.summary [--db PATH]

Prints the static pyramid (accounts and ARR per value tier, top tier first),
the largest dynamic segments with their engagement model, and brief lifecycle
and outcome counts. Reads the marts through a read-only DuckDB connection.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB = ROOT / "warehouse" / "cs_segments.duckdb"

PYRAMID_SQL = """
    select
        value_tier,
        count(*) as accounts,
        coalesce(sum(arr_usd), 0) as arr_usd
    from marts.dim_accounts
    group by value_tier, value_tier_rank
    order by value_tier_rank
"""

DYNAMIC_SQL = """
    select
        segments.segment_key,
        segments.dimension,
        segments.engagement_model,
        count(*) as accounts,
        coalesce(sum(accounts.arr_usd), 0) as arr_usd
    from marts.fct_account_segments as account_segments
    inner join marts.dim_segments as segments
        on account_segments.segment_key = segments.segment_key
    inner join marts.dim_accounts as accounts
        on account_segments.account_id = accounts.account_id
    where segments.dimension in ('behaviour', 'composite')
    group by 1, 2, 3
    order by accounts desc, segments.segment_key
    limit 10
"""

COUNTS_SQL = """
    select {column}, count(*) as accounts
    from marts.dim_accounts
    group by 1
    order by accounts desc, 1
"""

AS_OF_SQL = "select max(as_of_date) from marts.dim_accounts"


def _table(headers: list[str], rows: list[tuple], right: set[int]) -> str:
    """Rows as an aligned plain-text table; columns in `right` align right."""
    cells = [headers] + [[_fmt(value) for value in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]

    def line(row: list[str]) -> str:
        return "  ".join(
            value.rjust(widths[i]) if i in right else value.ljust(widths[i])
            for i, value in enumerate(row)
        ).rstrip()

    rule = "  ".join("-" * width for width in widths)
    return "\n".join([line(cells[0]), rule] + [line(row) for row in cells[1:]])


def _fmt(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, float) or type(value).__name__ == "Decimal":
        return f"{float(value):,.0f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def _share(part: float, whole: float) -> str:
    return f"{100.0 * part / whole:.1f}%" if whole else "-"


def summary_text(duckdb_path: str | os.PathLike) -> str:
    """The summary as text (see print_summary)."""
    import duckdb

    con = duckdb.connect(str(duckdb_path), read_only=True)
    try:
        as_of = con.execute(AS_OF_SQL).fetchone()[0]
        pyramid = con.execute(PYRAMID_SQL).fetchall()
        dynamic = con.execute(DYNAMIC_SQL).fetchall()
        lifecycle = con.execute(
            COUNTS_SQL.format(column="lifecycle_stage")).fetchall()
        outcomes = con.execute(
            COUNTS_SQL.format(column="outcome_status")).fetchall()
    finally:
        con.close()

    total_accounts = sum(row[1] for row in pyramid)
    total_arr = float(sum(row[2] for row in pyramid))
    pyramid_rows = [
        (tier, accounts, arr, _share(accounts, total_accounts),
         _share(float(arr), total_arr))
        for tier, accounts, arr in pyramid
    ]
    pyramid_rows.append(
        ("total", total_accounts, total_arr, "100.0%" if total_accounts else "-",
         "100.0%" if total_arr else "-"))

    parts = [
        f"Customer Success segmentation as of {as_of}",
        "",
        "Static pyramid (value tiers)",
        _table(["tier", "accounts", "arr_usd", "% accounts", "% arr"],
               pyramid_rows, right={1, 2, 3, 4}),
        "",
        "Largest dynamic segments (behaviour and composite, top 10)",
        _table(["segment", "dimension", "engagement", "accounts", "arr_usd"],
               dynamic, right={3, 4}) if dynamic else "(none)",
        "",
        "Lifecycle stages",
        _table(["stage", "accounts"], lifecycle, right={1}),
        "",
        "Outcome status",
        _table(["status", "accounts"], outcomes, right={1}),
    ]
    return "\n".join(parts)


def print_summary(duckdb_path: str | os.PathLike) -> None:
    """Print the pyramid, the largest dynamic segments and brief lifecycle
    and outcome counts of the warehouse at `duckdb_path` (read-only)."""
    print(summary_text(duckdb_path))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m cs_segments.summary",
        description="Print a plain-text summary of the segmentation marts.")
    parser.add_argument(
        "--db", default=os.environ.get("CS_DUCKDB_PATH", str(DEFAULT_DB)),
        help="DuckDB warehouse file (default warehouse/cs_segments.duckdb, "
             "or env CS_DUCKDB_PATH)")
    args = parser.parse_args(argv)
    if not Path(args.db).exists():
        print(f"error: no warehouse at {args.db}; build it first "
              "(python -m cs_segments.run)", file=sys.stderr)
        return 2
    try:
        print_summary(args.db)
    except Exception as exc:  # one readable line, no traceback
        print(f"error: cannot read the marts in {args.db}: {exc}",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
