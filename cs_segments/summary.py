"""Plain-text summary of a built segmentation warehouse.

    python -m cs_segments.summary [--db PATH]

Prints the as-of date with its source and what the run added
(marts.rpt_last_run, cs_segments/last_run.py), the static pyramid (accounts and ARR per value tier,
top tier first), the largest dynamic segments with their engagement model,
brief lifecycle and outcome counts, then what the build could and could not
compute from the data (rpt_capabilities), the quarantine counts
(rpt_quarantine_summary) and the data-quality warnings (rpt_data_quality).
Reads the marts through a read-only DuckDB connection. A section whose mart
is missing (a failed build) says so instead of failing: after a failed build
it shows what did build.
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

# The build reports are read whole; they are small and shaped in dbt.
CAPABILITIES_SQL = """
    select capability_type, capability_key, is_computed, not_computed_reason
    from marts.rpt_capabilities
    order by capability_type, capability_key
"""

QUARANTINE_SQL = """
    select table_name, outcome, rejection_reason, row_count
    from marts.rpt_quarantine_summary
    order by table_name, outcome desc, row_count desc, rejection_reason
"""

DATA_QUALITY_SQL = """
    select * from marts.rpt_data_quality order by check_order, table_name
"""

CAPABILITY_TYPES = ["dimension", "measure", "behaviour", "segment"]


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


def _has_table(con, schema: str, table: str) -> bool:
    return con.execute(
        "select count(*) from information_schema.tables"
        " where table_schema = ? and table_name = ?",
        [schema, table]).fetchone()[0] > 0


def _segment_sections(con) -> list[str]:
    """As-of date, pyramid, dynamic segments, lifecycle and outcomes."""
    if not (_has_table(con, "marts", "dim_accounts")
            and _has_table(con, "marts", "fct_account_segments")
            and _has_table(con, "marts", "dim_segments")):
        return ["Segments: not built (see the failures above)."]
    as_of = con.execute(AS_OF_SQL).fetchone()[0]
    pyramid = con.execute(PYRAMID_SQL).fetchall()
    dynamic = con.execute(DYNAMIC_SQL).fetchall()
    lifecycle = con.execute(
        COUNTS_SQL.format(column="lifecycle_stage")).fetchall()
    outcomes = con.execute(
        COUNTS_SQL.format(column="outcome_status")).fetchall()

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
    return [
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


def capability_lines(rows: list[tuple]) -> list[str]:
    """The capability report in a few lines: how much was computed per
    type, then what is off, grouped by reason (one line per reason)."""
    if not rows:
        return ["What this data supports: not built."]
    lines = ["What this data supports (rpt_capabilities)"]
    counts = []
    for kind in CAPABILITY_TYPES:
        of_kind = [row for row in rows if row[0] == kind]
        if of_kind:
            done = sum(1 for row in of_kind if row[2])
            counts.append(f"{done}/{len(of_kind)} {kind}s")
    lines.append("  computed: " + ", ".join(counts))
    by_reason: dict[str, dict[str, list[str]]] = {}
    for kind, key, computed, reason in rows:
        if not computed:
            by_reason.setdefault(reason or "unknown", {}).setdefault(
                kind, []).append(key)
    if not by_reason:
        lines.append("  everything was computed")
    for reason in sorted(by_reason):
        parts = [f"{', '.join(sorted(keys))} ({kind}s)"
                 for kind in CAPABILITY_TYPES
                 for keys in [by_reason[reason].get(kind)] if keys]
        lines.append(f"  off, {reason}: " + "; ".join(parts))
    return lines


def quarantine_lines(rows: list[tuple]) -> list[str]:
    """Staged and quarantined rows per table, with the quarantine reasons."""
    if not rows:
        return ["Quarantine: not built."]
    tables: dict[str, dict] = {}
    for table, outcome, reason, count in rows:
        entry = tables.setdefault(table, {"staged": 0, "reasons": []})
        if outcome == "staged":
            entry["staged"] = count
        else:
            entry["reasons"].append((reason, count))
    table_rows = []
    for table in sorted(tables):
        entry = tables[table]
        quarantined = sum(count for _, count in entry["reasons"])
        raw = entry["staged"] + quarantined
        reasons = ", ".join(f"{reason} {count:,}"
                            for reason, count in entry["reasons"])
        table_rows.append((table, raw, entry["staged"], quarantined,
                           _share(quarantined, raw), reasons or "-"))
    return [
        "Raw rows: staged or quarantined (rpt_quarantine_summary)",
        _table(["table", "raw", "staged", "quarantined", "% quarantined",
                "reasons"], table_rows, right={1, 2, 3, 4}),
    ]


def data_quality_lines(con) -> list[str]:
    """Rows of rpt_data_quality that flagged anything (kept in the model,
    only warned about)."""
    if not _has_table(con, "marts", "rpt_data_quality"):
        return []
    cursor = con.execute(DATA_QUALITY_SQL)
    columns = [d[0] for d in cursor.description]
    rows = [dict(zip(columns, row)) for row in cursor.fetchall()]
    flagged = [row for row in rows if (row.get("rows_flagged") or 0) > 0]
    lines = ["Data-quality warnings (rpt_data_quality; rows kept)"]
    if not flagged:
        lines.append(f"  none of the {len(rows)} checks flagged a row")
        return lines
    shown = [(row.get("check_name"), row.get("table_name"),
              row.get("rows_flagged"), _pct(row.get("share_flagged")),
              row.get("severity"), row.get("example_keys") or "-")
             for row in flagged]
    lines.append(_table(["check", "table", "rows", "share", "severity",
                         "examples"], shown, right={2, 3}))
    return lines


def _pct(value) -> str:
    return "-" if value is None else f"{100.0 * float(value):.1f}%"


def summary_text(duckdb_path: str | os.PathLike) -> str:
    """The summary as text (see print_summary)."""
    import duckdb

    from cs_segments.last_run import describe_last_run, last_run

    con = duckdb.connect(str(duckdb_path), read_only=True)
    try:
        has_run_facts = _has_table(con, "marts", "rpt_last_run")
    finally:
        con.close()
    # The as-of date and its source, and what the run added.
    parts = (describe_last_run(last_run(duckdb_path)) if has_run_facts
             else ["As-of date: not resolved (the build stopped before "
                   "marts.rpt_last_run)."])
    parts.append("")
    con = duckdb.connect(str(duckdb_path), read_only=True)
    try:
        parts += _segment_sections(con)
        parts.append("")
        parts += capability_lines(
            con.execute(CAPABILITIES_SQL).fetchall()
            if _has_table(con, "marts", "rpt_capabilities") else [])
        parts.append("")
        parts += quarantine_lines(
            con.execute(QUARANTINE_SQL).fetchall()
            if _has_table(con, "marts", "rpt_quarantine_summary") else [])
        quality = data_quality_lines(con)
        if quality:
            parts += [""] + quality
    finally:
        con.close()
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
        "--db", default=os.environ.get("CS_PUBLISHED_PATH", str(DEFAULT_DB)),
        help="DuckDB warehouse file: the published file BI reads (default "
             "warehouse/cs_segments.duckdb, or env CS_PUBLISHED_PATH), or "
             "the work database (warehouse/work/cs_segments.duckdb)")
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
