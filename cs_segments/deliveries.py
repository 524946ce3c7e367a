"""Cut a raw data set into the deliveries a scheduler would have seen.

Used by the schedule tests (e2e/test_schedule.py) and the schedule
benchmark (benchmarks/bench_scale.py). The delivery of day D holds the
rows of each table dated on or before D (by the column in DELIVERED_BY;
tables without one are delivered whole). Optionally it holds back some
usage events dated `late_from_days` to `late_to_days` before D, which then
arrive in a later delivery, dated before the last processed day.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb

# The date column that decides when a row of each raw table is delivered.
DELIVERED_BY = {
    "accounts": "created_at",
    "users": "created_at",
    "subscriptions": "start_date",
    "invoices": "issued_at",
    "usage_events": "occurred_at",
    "support_tickets": "opened_at",
    "nps_responses": "responded_at",
    "success_goals": "start_date",
}


def write_delivery(raw: Path, out: Path, day: date | None, *,
                   late: tuple[int, int, int] | None = None) -> Path:
    """Write the Parquet files of `raw` as delivered on `day` into `out`.

    day None = everything. late = (from_days, to_days, one_in): usage
    events dated in (day - from_days, day - to_days] are held back when
    hash(event_id) % one_in = 0.
    """
    out.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    try:
        for path in sorted(Path(raw).glob("*.parquet")):
            table = path.stem
            column = DELIVERED_BY.get(table)
            where = "true"
            if column and day is not None:
                where = f"cast({column} as date) <= date '{day}'"
            if table == "usage_events" and day is not None and late:
                from_days, to_days, one_in = late
                where += (
                    f" and not (cast(occurred_at as date) > date '{day}'"
                    f" - interval {from_days} day"
                    f" and cast(occurred_at as date) <= date '{day}'"
                    f" - interval {to_days} day"
                    f" and hash(event_id) % {one_in} = 0)")
            con.execute(
                f"copy (select * from read_parquet('{path}') where {where}) "
                f"to '{out / path.name}' (format parquet)")
    finally:
        con.close()
    return out
