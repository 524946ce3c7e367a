"""Facts about the last run, for the main and the scheduled command.

The facts are computed in SQL by the one-row model `marts.rpt_last_run`
(as-of date and its source, future-dated guard, incremental or not, what
the run added against the previous publication of the as-published log);
this module only reads and words them:

    from cs_segments.last_run import last_run, describe_last_run
    for line in describe_last_run(last_run(db_path)):
        print(line)
"""

from __future__ import annotations

from pathlib import Path

import duckdb

FACTS_SQL = "select * from marts.rpt_last_run"


def last_run(db: Path | str) -> dict | None:
    """The row of marts.rpt_last_run as a dict, or None when the warehouse
    has no such table (built by an older version)."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        try:
            cursor = con.execute(FACTS_SQL)
        except duckdb.CatalogException:
            return None
        names = [column[0] for column in cursor.description]
        row = cursor.fetchone()
    finally:
        con.close()
    return dict(zip(names, row)) if row else None


def describe_last_run(facts: dict | None) -> list[str]:
    """Readable lines: the as-of date with its source, the guard, and
    whether the run was incremental and what it added."""
    if not facts:
        return ["Run: no run facts (marts.rpt_last_run missing)"]
    source = facts["as_of_date_source"]
    how = "set by var as_of_date" if source == "var" else (
        f"inferred from {source}")
    lines = [f"As-of date: {facts['as_of_date']} ({how})"]
    if facts.get("is_open_period"):
        since = facts.get("last_week_end_date")
        lines.append("  open week: " + (
            f"the last week end is {since}; the next run replaces this "
            "date in the weekly history" if since is not None else
            "no week end in the history yet"))
    if facts.get("future_dated_usage_rows"):
        lines.append(f"  {facts['future_dated_usage_rows']:,} usage events "
                     "quarantined as future_dated (did not move the date)")
    if facts.get("is_full_refresh"):
        kind = "full refresh (the as-published log was kept)"
    elif facts.get("is_incremental"):
        kind = "incremental"
    else:
        kind = "first build"
    lines.append(f"Run: {kind}")
    if not facts.get("is_published_by_this_run"):
        lines.append("  nothing new to publish: same segments as "
                     f"publication {facts['publication_number']}")
        return lines
    added = f"  published #{facts['publication_number']}: " \
            f"{facts['published_rows']:,} account-segment rows"
    if facts.get("previous_published_as_of_date") is not None:
        added += (f"; {facts['days_added']} day(s) after the previous "
                  f"publication ({facts['previous_published_as_of_date']}),"
                  f" {facts['segment_entries']:,} entries, "
                  f"{facts['segment_exits']:,} exits")
    lines.append(added)
    if facts.get("is_rules_change"):
        lines.append("  segment rules or thresholds changed since the "
                     "previous publication (restated history rebuilt)")
    if facts.get("is_indicators_change"):
        lines.append("  learned churn indicators changed since the previous "
                     "publication")
    return lines
