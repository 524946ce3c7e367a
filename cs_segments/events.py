"""List the event names of your usage data against the event catalog.

    python -m cs_segments.events --raw-dir DIR [--raw-format csv|parquet]
        [--write-catalog PATH] [--force] [--catalog seeds/event_catalog.csv]

Prints one line per event name found in DIR/usage_events.<format>: whether
it is in the event catalog, the rows, the events (sum of `quantity` where the
column is present and the value a number, else 1 per row), the accounts
using it and their share of the accounts with any usage, its share of the
active account-weeks (weeks in which an account has any usage), and a
suggestion for `is_key_feature`. Then how many rows and what share of them have a name
missing from the catalog: staging quarantines those rows as
`unknown_event_name` (the same figure is the row `event_not_in_catalog` of
the data-quality report, marts.rpt_data_quality).

`--write-catalog PATH` writes a starter catalog in the seed's format
(event_name, feature_area, is_key_feature, description) for review: events
already in the catalog keep their row; new ones get feature_area
`unassigned`, a suggested is_key_feature and the reason in the description.
Review it, then copy it over seeds/event_catalog.csv.

Reading: the file is read with DuckDB the way macros/raw_files.sql
(raw_file_reader) reads it for dbt: parquet as is, CSV with a header and
every value as text. Names are compared trimmed and lower-cased, as staging
does. Keep `_reader` below in step with that macro when it changes. Rows
that staging rejects for another reason (empty key, bad date, bad quantity,
unknown account) are counted here too, so the figures can exceed what
reaches the models by those rows.

Never prints a traceback: a missing folder or file, an empty file or a file
without the needed columns gives one message and exit status 1.
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CATALOG = REPO_ROOT / "seeds" / "event_catalog.csv"
CATALOG_COLUMNS = ["event_name", "feature_area", "is_key_feature",
                   "description"]

# Key-feature suggestion, from the share of active account-weeks (an account
# and calendar week with any usage) in which the event is used: a habit.
# Between these bounds: not a presence signal used in nearly every active
# week (like login), not a niche; the most habitual first, at most this many
# (each key feature adds two candidate behaviours to the churn-indicator
# analysis, so fewer keeps its tests meaningful). On the demo data this
# suggests search, dashboard_view, integration_sync, comment_added and
# report_exported, and leaves login out (used in 94% of the active weeks).
KEY_MIN_SHARE = 0.10
KEY_MAX_SHARE = 0.90
KEY_MAX_FEATURES = 5


@dataclass
class Totals:
    rows: int
    accounts: int
    account_weeks: int


class EventsError(Exception):
    """A problem with the input, reported as one message without traceback."""


@dataclass
class EventStats:
    event_name: str | None
    rows: int
    events: int
    accounts: int
    account_weeks: int
    in_catalog: bool
    suggest_key: bool = False
    reason: str = ""


def _reader(path: Path, raw_format: str) -> str:
    """DuckDB table function reading one raw file, as raw_file_reader in
    macros/raw_files.sql does."""
    quoted = str(path).replace("'", "''")
    if raw_format == "csv":
        return (f"read_csv('{quoted}', header = true, all_varchar = true,"
                " auto_detect = true)")
    return f"read_parquet('{quoted}')"


def read_catalog(path: Path) -> dict[str, dict]:
    """The event catalog seed: {normalised event_name: row}."""
    if not path.is_file():
        raise EventsError(f"event catalog not found: {path}")
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in CATALOG_COLUMNS
                   if c not in (reader.fieldnames or [])]
        if missing:
            raise EventsError(f"event catalog {path} lacks column(s): "
                              + ", ".join(missing))
        return {row["event_name"].strip().lower(): row for row in reader
                if (row["event_name"] or "").strip()}


def usage_file(raw_dir: Path, raw_format: str) -> Path:
    if raw_format not in ("csv", "parquet"):
        raise EventsError(
            f"--raw-format must be csv or parquet, got '{raw_format}'")
    if not raw_dir.is_dir():
        raise EventsError(f"raw folder not found: {raw_dir}")
    path = raw_dir / f"usage_events.{raw_format}"
    if not path.is_file():
        other = "parquet" if raw_format == "csv" else "csv"
        hint = ""
        if (raw_dir / f"usage_events.{other}").is_file():
            hint = f" (there is usage_events.{other}: use --raw-format {other})"
        raise EventsError(f"no usage_events.{raw_format} in {raw_dir}{hint}")
    if path.stat().st_size == 0:
        raise EventsError(f"{path} is empty (not even a header row)")
    return path


def event_stats(path: Path, raw_format: str,
                catalog: dict[str, dict]) -> tuple[list[EventStats], int]:
    """Per event name: rows, events, accounts; and the accounts with any
    usage. Sorted by accounts, then events, descending, then name."""
    import duckdb

    con = duckdb.connect()
    try:
        try:
            columns = [row[0].lower() for row in con.execute(
                f"describe select * from {_reader(path, raw_format)}"
            ).fetchall()]
        except duckdb.Error as exc:
            raise EventsError(f"cannot read {path}: {exc}") from None
        missing = [c for c in ("account_id", "event_name", "occurred_at")
                   if c not in columns]
        if missing:
            raise EventsError(f"{path} lacks required column(s): "
                              + ", ".join(missing))
        if "quantity" in columns:
            events = ("coalesce(cast(round(try_cast(nullif(trim(cast("
                      "quantity as varchar)), '') as decimal(18, 4)), 0)"
                      " as bigint), 1)")
        else:
            events = "1"
        sql = f"""
            with usage as (
                select
                    lower(nullif(trim(cast(event_name as varchar)), ''))
                        as event_name,
                    lower(nullif(trim(cast(account_id as varchar)), ''))
                        as account_id,
                    {events} as events,
                    date_trunc('week', try_cast(nullif(trim(cast(
                        occurred_at as varchar)), '') as timestamp))
                        as usage_week
                from {_reader(path, raw_format)}
            ),
            account_weeks as (
                select distinct event_name, account_id, usage_week
                from usage
                where account_id is not null and usage_week is not null
            ),
            weeks_per_event as (
                select event_name, count(*) as account_week_count
                from account_weeks
                group by 1
            ),
            per_event as (
                select
                    event_name,
                    count(*) as row_count,
                    sum(events) as event_count,
                    count(distinct account_id) as account_count
                from usage
                group by 1
            )
            select
                per_event.event_name,
                per_event.row_count,
                per_event.event_count,
                per_event.account_count,
                coalesce(weeks_per_event.account_week_count, 0),
                (select count(distinct account_id) from usage),
                (select count(*) from (select distinct account_id, usage_week
                                       from account_weeks))
            from per_event
            left join weeks_per_event
                on per_event.event_name
                   is not distinct from weeks_per_event.event_name
        """
        try:
            rows = con.execute(sql).fetchall()
        except duckdb.Error as exc:
            raise EventsError(f"cannot read {path}: {exc}") from None
    finally:
        con.close()
    stats = [EventStats(event_name=name, rows=int(n), events=int(e or 0),
                        accounts=int(a), account_weeks=int(w),
                        in_catalog=name in catalog)
             for name, n, e, a, w, _, _ in rows]
    totals = Totals(
        rows=sum(s.rows for s in stats),
        accounts=int(rows[0][5]) if rows else 0,
        account_weeks=int(rows[0][6]) if rows else 0,
    )
    stats.sort(key=lambda s: (-s.account_weeks, -s.accounts, -s.events,
                              s.event_name or ""))
    return stats, totals


def _share(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def suggest_key_features(stats: list[EventStats], totals: Totals, *,
                         min_share: float = KEY_MIN_SHARE,
                         max_share: float = KEY_MAX_SHARE,
                         max_features: int = KEY_MAX_FEATURES) -> None:
    """Set suggest_key and reason on each named event; `stats` sorted by
    account-weeks, most first."""
    chosen = 0
    for stat in stats:
        stat.suggest_key = False
        if stat.event_name is None:
            stat.reason = "empty event name: staging quarantines these rows"
            continue
        weekly = _share(stat.account_weeks, totals.account_weeks)
        used = (f"used in {weekly:.0%} of the active account-weeks, by"
                f" {_share(stat.accounts, totals.accounts):.0%} of the"
                f" accounts ({stat.accounts:,} of {totals.accounts:,}),"
                f" {stat.events:,} events")
        band = f"between {min_share:.0%} and {max_share:.0%}"
        if weekly > max_share:
            stat.reason = (f"{used}; there in nearly every week an account"
                           " is active (like a login), so it shows presence,"
                           " not adoption: not a key feature")
        elif weekly < min_share:
            stat.reason = (f"{used}; too occasional to track as a habit: not"
                           " a key feature")
        elif chosen < max_features:
            chosen += 1
            stat.suggest_key = True
            stat.reason = (f"{used}; a habit of {band} of the active weeks,"
                           " so its adoption and its loss tell accounts"
                           " apart: suggested key feature")
        else:
            stat.reason = (f"{used}; {band} of the active weeks, but not"
                           f" among the {max_features} most habitual: mark"
                           " it true if it matters")


def format_table(stats: list[EventStats], totals: Totals) -> str:
    header = ["event_name", "in catalog", "rows", "events", "accounts",
              "% accounts", "% active weeks", "suggest key"]
    body = []
    for s in stats:
        body.append([
            s.event_name if s.event_name is not None else "(empty)",
            "yes" if s.in_catalog else "NO",
            f"{s.rows:,}", f"{s.events:,}", f"{s.accounts:,}",
            f"{_share(s.accounts, totals.accounts):.0%}",
            f"{_share(s.account_weeks, totals.account_weeks):.0%}",
            "yes" if s.suggest_key else "",
        ])
    widths = [max(len(str(r[i])) for r in [header, *body])
              for i in range(len(header))]
    right = {2, 3, 4, 5, 6}

    def line(cells: list[str]) -> str:
        return "  ".join(str(c).rjust(w) if i in right else str(c).ljust(w)
                         for i, (c, w) in enumerate(zip(cells, widths))
                         ).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(header), rule, *[line(r) for r in body]])


def write_catalog(path: Path, stats: list[EventStats],
                  catalog: dict[str, dict], *, force: bool) -> int:
    """Starter catalog: one row per event name found, catalog rows kept."""
    if path.exists() and not force:
        raise EventsError(f"{path} exists; choose another path or add"
                          " --force to overwrite it")
    if not path.parent.is_dir():
        raise EventsError(f"folder not found: {path.parent}")
    rows = []
    for stat in stats:
        if stat.event_name is None:
            continue
        if stat.in_catalog:
            known = catalog[stat.event_name]
            rows.append({c: known[c] for c in CATALOG_COLUMNS})
        else:
            rows.append({
                "event_name": stat.event_name,
                "feature_area": "unassigned",
                "is_key_feature": "true" if stat.suggest_key else "false",
                "description": f"TO REVIEW: {stat.reason}.",
            })
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=CATALOG_COLUMNS,
                                lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return len(rows)


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m cs_segments.events",
        description="List the event names of usage_events against the event"
                    " catalog; optionally write a starter catalog.")
    parser.add_argument("--raw-dir",
                        default=os.environ.get("CS_RAW_DIR", "data/demo"),
                        help="folder of raw files (default: env CS_RAW_DIR"
                             " or data/demo)")
    parser.add_argument("--raw-format",
                        default=os.environ.get("CS_RAW_FORMAT", "parquet"),
                        help="csv or parquet (default: env CS_RAW_FORMAT or"
                             " parquet)")
    parser.add_argument("--catalog", default=str(DEFAULT_CATALOG),
                        help="event catalog CSV (default:"
                             " seeds/event_catalog.csv)")
    parser.add_argument("--write-catalog", metavar="PATH",
                        help="write a starter catalog CSV for review")
    parser.add_argument("--force", action="store_true",
                        help="overwrite the --write-catalog file")
    return parser.parse_args(argv)


def run(args: argparse.Namespace) -> int:
    catalog_path = Path(args.catalog)
    catalog = read_catalog(catalog_path)
    path = usage_file(Path(args.raw_dir), args.raw_format)
    stats, totals = event_stats(path, args.raw_format, catalog)
    if totals.rows == 0:
        print(f"{path} has no rows: no event names to list.")
        return 0
    suggest_key_features(stats, totals)
    unknown = [s for s in stats if not s.in_catalog]
    unknown_rows = sum(s.rows for s in unknown)
    print(f"Event names in {path}: {totals.rows:,} rows, {len(stats)} names,"
          f" {totals.accounts:,} accounts with usage,"
          f" {totals.account_weeks:,} active account-weeks."
          f" Catalog: {catalog_path}\n")
    print(format_table(stats, totals))
    print()
    print(f"Not in the catalog: {len(unknown)} of {len(stats)} names,"
          f" {unknown_rows:,} of {totals.rows:,} rows"
          f" ({_share(unknown_rows, totals.rows):.1%}).")
    if unknown_rows:
        print("Staging quarantines those rows as unknown_event_name (they do"
              " not count as usage); the same figure is check"
              " event_not_in_catalog of marts.rpt_data_quality. Add the names"
              " to seeds/event_catalog.csv to keep them (--write-catalog"
              " writes a starter file).")
    absent = sorted(set(catalog) - {s.event_name for s in stats})
    if absent:
        print(f"In the catalog but not in the data: {', '.join(absent)}.")
    print(f"suggest key: used in between {KEY_MIN_SHARE:.0%} and"
          f" {KEY_MAX_SHARE:.0%} of the active account-weeks (a habit, not"
          f" mere presence like a login), the {KEY_MAX_FEATURES} most"
          " habitual. A suggestion to review, not a rule.")
    if args.write_catalog:
        written = write_catalog(Path(args.write_catalog), stats, catalog,
                                force=args.force)
        new = sum(1 for s in stats if s.event_name and not s.in_catalog)
        print(f"\nWrote {written} events ({new} new, marked TO REVIEW) to"
              f" {args.write_catalog}. Review feature_area, is_key_feature"
              " and description, then copy it over seeds/event_catalog.csv.")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _parse_args(argv)
    try:
        return run(args)
    except EventsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except Exception as exc:  # noqa: BLE001 - never show a traceback
        print(f"error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
