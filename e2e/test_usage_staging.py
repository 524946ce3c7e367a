"""Incremental staging of usage: base_raw__usage_events after a run on
changed inputs equals a full build on the same inputs.

The model re-stages only the days whose raw rows or context changed, the
days of rows whose account or user appeared or vanished, and every copy of
the keys on those days (macros/usage_staging.sql). The schedule tests
(test_schedule.py) run it on clean demo data; here the second delivery
changes what an incremental path can get wrong, each on a day whose own raw
rows are otherwise unchanged:
- a key gains a copy on another day that sorts first (the stored copy,
  kept before, becomes duplicate_key);
- a key loses the copy that was kept (the stored duplicate becomes clean);
- an account and a user arrive (their orphan rows become clean), an account
  and a user vanish (their clean rows become orphans);
- a day loses all its rows; rows without a timestamp change (and a row
  without a key sits on a day re-staged for a copy);
- a row is edited in place; the as-of date moves; late rows arrive.
Each incremental run (the same delivery again, then the next one, then a
third in which every row changed and the oldest day is gone, which takes
the fallback that stages every row) is compared with a full build on the
same files: every relation, every column, `except all` both ways
(conftest.differences, as in the schedule tests).
"""

from __future__ import annotations

import re
import shutil
from datetime import date
from pathlib import Path

import duckdb
import pytest

from conftest import differences, query, run_dbt

from cs_segments.deliveries import write_delivery

# The staging of usage and everything it reads, nothing else.
STAGE_USAGE = ["build", "--select", "+base_raw__usage_events",
               "--indirect-selection", "empty"]
FIRST_DAY = "2026-06-27"  # the first delivery; the second is everything
TABLE = "staging.base_raw__usage_events"


def _pick(con, sql: str):
    row = con.execute(sql).fetchone()
    assert row is not None, sql
    return row


def write_scenario(raw: Path, out: Path, *, second: bool) -> Path:
    """The first (second=False) or second delivery of the scenario."""
    write_delivery(raw, out,
                   None if second else date.fromisoformat(FIRST_DAY),
                   late=(12, 4, 10))
    con = duckdb.connect()
    try:
        usage = f"read_parquet('{raw / 'usage_events.parquet'}')"
        con.execute(f"create table u as select * from {usage}")
        # Accounts and users to move in and out: the least active ones, so
        # that most days hold none of their rows. Events to copy and edit:
        # on three other days, with no row of those (so only the copy
        # logic can re-stage their days).
        late_account, gone_account = [r[0] for r in con.execute(
            f"select account_id from u where occurred_at <= '{FIRST_DAY}' "
            "group by 1 order by count(distinct cast(occurred_at as date)), "
            "1 limit 2").fetchall()]
        late_user, gone_user = [r[0] for r in con.execute(
            f"select user_id from u where occurred_at <= '{FIRST_DAY}' "
            f"and account_id not in ('{late_account}', '{gone_account}') "
            "and user_id is not null group by 1 "
            "order by count(distinct cast(occurred_at as date)), 1 "
            "limit 2").fetchall()]
        gains, loses, edited = [r[0] for r in con.execute(f"""
            with moved_days as (
                select distinct cast(occurred_at as date) as day from u
                where account_id in ('{late_account}', '{gone_account}')
                    or user_id in ('{late_user}', '{gone_user}')
            ),
            candidates as (
                select event_id, cast(occurred_at as date) as day,
                    row_number() over (partition by cast(occurred_at as date)
                        order by event_id) as n
                from u
                where occurred_at >= '2026-03-01'
                    and occurred_at < '2026-05-01'
                    and cast(occurred_at as date)
                        not in (select day from moved_days)
            )
            select event_id from candidates where n = 1
            order by day limit 3 offset 1
        """).fetchall()]
        # gains: a copy 5 days earlier (sorts first) arrives in the second
        # delivery; loses: a copy 4 days earlier, in the first delivery only.
        copy = ("select upper(event_id) || ' ' as event_id, account_id, "
                "user_id, event_name, occurred_at - interval {days} day "
                "as occurred_at, quantity from u where event_id = '{key}'")
        extra = [copy.format(days=5, key=gains)] if second else [
            copy.format(days=4, key=loses)]
        # A day that only the first delivery has; rows without a timestamp.
        if not second:
            extra.append(
                "select 'vanish-' || i, account_id, null, event_name, "
                "timestamp '2023-01-02 03:00:00', 1 from u, range(3) t(i) "
                f"where event_id = '{gains}'")
        # A keyless row on the day of `gains` (carried over with that day).
        extra.append(
            "select null, account_id, user_id, event_name, occurred_at, "
            f"quantity from u where event_id = '{gains}'")
        extra.append(
            "select 'no-date-' || i, account_id, null, event_name, null, 1 "
            f"from u, range({3 if second else 2}) t(i) "
            f"where event_id = '{gains}'")
        delivered = f"read_parquet('{out / 'usage_events.parquet'}')"
        edit = (f"case when event_id = '{edited}' then 'not_an_event' "
                "else event_name end" if second else "event_name")
        con.execute(
            f"create table delivered as select event_id, account_id, "
            f"user_id, {edit} as event_name, occurred_at, quantity "
            f"from {delivered} union all " + " union all ".join(extra))
        con.execute(f"copy delivered to '{out / 'usage_events.parquet'}' "
                    "(format parquet)")
        missing_account = gone_account if second else late_account
        missing_user = gone_user if second else late_user
        for table, column, value in (("accounts", "account_id",
                                      missing_account),
                                     ("users", "user_id", missing_user)):
            path = out / f"{table}.parquet"
            con.execute(
                f"create or replace table t as select * from "
                f"read_parquet('{path}') where {column} <> '{value}'")
            con.execute(f"copy t to '{path}' (format parquet)")
    finally:
        con.close()
    return out


@pytest.fixture(scope="module")
def scenario(generated_raw, tmp_path_factory):
    root = tmp_path_factory.mktemp("usage_staging")
    first = write_scenario(Path(generated_raw), root / "first", second=False)
    second = write_scenario(Path(generated_raw), root / "second", second=True)
    export = root / "export"

    def stage(workdir: Path, delivery: Path, name: str) -> Path:
        if export.exists():
            shutil.rmtree(export)
        shutil.copytree(delivery, export)
        step = run_dbt(STAGE_USAGE, workdir=workdir, raw_dir=export)
        assert step.success, step.text
        kept = workdir / f"{name}.duckdb"
        shutil.copyfile(step.db_path, kept)
        plans[name] = re.findall(
            r"base_raw__usage_events: (\d+) of (\d+) days to re-stage(.*)",
            step.text)
        return kept

    plans: dict[str, list] = {}

    # Third: every row of the second changed (more than half the days to
    # re-stage: the run stages every row) and the oldest day gone.
    third = root / "third"
    shutil.copytree(second, third)
    con = duckdb.connect()
    try:
        path = third / "usage_events.parquet"
        con.execute(
            f"create table t as select * replace (coalesce(quantity, 1) + 1 "
            f"as quantity) from read_parquet('{path}') where occurred_at is "
            f"null or occurred_at >= (select min(occurred_at) + interval 1 "
            f"day from read_parquet('{path}'))")
        con.execute(f"copy t to '{path}' (format parquet)")
    finally:
        con.close()

    runs = root / "runs"
    out = {
        "first": stage(runs, first, "first"),
        "first_again": stage(runs, first, "first_again"),
        "second": stage(runs, second, "second"),
        "third": stage(runs, third, "third"),
    }
    for name, delivery in (("first", first), ("second", second),
                           ("third", third)):
        workdir = root / f"full_{name}"
        out[f"full_{name}"] = stage(workdir, delivery, f"full_{name}")
    out["first_delivery"] = first
    out["plans"] = plans
    return out


def test_scenario_changes_what_it_says(scenario):
    """The second delivery really flips rows of unchanged days: a kept
    copy becomes a duplicate, a duplicate becomes the kept copy, orphans
    become clean and clean rows orphans, a day vanishes."""
    def reasons(db):
        return dict(query(db, f"""
            select 'vanished', count(*) from {TABLE}
            where event_id like 'vanish-%'
            union all
            select 'no_date', count(*) from {TABLE}
            where staged_day = date '0001-01-01'
            union all
            select 'orphans', count(*) from {TABLE}
            where rejection_reason in ('orphan_account_id', 'orphan_user_id')
            union all
            select 'duplicates', count(*) from {TABLE}
            where rejection_reason = 'duplicate_key'
            union all
            select 'unknown', count(*) from {TABLE}
            where rejection_reason = 'unknown_event_name'
        """))
    first, second = (reasons(scenario["full_first"]),
                     reasons(scenario["full_second"]))
    assert first["vanished"] == 3 and second["vanished"] == 0
    assert (first["no_date"], second["no_date"]) == (2, 3)
    assert first["duplicates"] == 1 and second["duplicates"] == 1
    assert first["orphans"] > 0 and second["orphans"] > 0
    assert second["unknown"] == first["unknown"] + 1
    # The duplicate of each delivery is a different copy of a different key.
    dup = f"select event_id, occurred_at from {TABLE} where " \
          "rejection_reason = 'duplicate_key'"
    assert query(scenario["full_first"], dup) != query(
        scenario["full_second"], dup)


@pytest.mark.parametrize("run, full", [
    ("first", "full_first"),
    ("first_again", "full_first"),
    ("second", "full_second"),
    ("third", "full_third"),
])
def test_incremental_staging_equals_full_build(scenario, run, full):
    """Every relation of the staging build (the usage staging, its views
    and what it reads) equals a full build's, every column."""
    assert differences(scenario[run], scenario[full]) == {}


def test_every_day_carries_one_fingerprint(scenario):
    """After the incremental run every day holds one fingerprint (what the
    next run compares) and no marker row (null fingerprint) was stored."""
    assert query(scenario["second"], f"""
        select count(*) from (
            select staged_day from {TABLE} group by 1
            having count(distinct staging_fingerprint) > 1
                or count(staging_fingerprint) < count(*)
        )""") == [(0,)]


@pytest.mark.parametrize("dropped", [
    ("staged_day", "staging_fingerprint"),  # before incremental staging
    ("loaded_at",),  # before the uniqueness test read the keys staged since
])
def test_warehouse_staged_before_says_what_to_run(scenario, tmp_path,
                                                  dropped):
    """A warehouse staged before the columns existed stops with the command
    that rebuilds it, not with a binder error or dbt's schema message."""
    workdir = tmp_path / "old"
    workdir.mkdir()
    shutil.copyfile(scenario["first"], workdir / "wh.duckdb")
    con = duckdb.connect(str(workdir / "wh.duckdb"))
    try:
        for column in dropped:
            con.execute(f"alter table {TABLE} drop column {column}")
    finally:
        con.close()
    step = run_dbt(STAGE_USAGE, workdir=workdir,
                   raw_dir=scenario["first_delivery"])
    assert not step.success
    assert ("was staged before the incremental staging of usage"
            in step.text), step.text
    assert f"(no column {', '.join(dropped)})" in step.text, step.text
    assert "--full-refresh --select base_raw__usage_events+" in step.text


def test_incremental_runs_restage_a_few_days(scenario):
    """The runs compared above took the path for a few days (the plan
    dbt logs), not the fallback that stages every row as a full build;
    the third, whose every day changed, took the fallback."""
    plans = scenario["plans"]
    assert plans["first"] == [] and plans["full_second"] == []
    (again,) = plans["first_again"]
    assert again[0] == "0" and again[2] == ""
    (second,) = plans["second"]
    reloaded, days, fallback = int(second[0]), int(second[1]), second[2]
    assert 0 < reloaded <= 40 and days > 900 and fallback == "", second
    (third,) = plans["third"]
    assert third[0] == third[1] and third[2] == ", staging every row", third


def test_empty_build_keeps_the_staged_rows(scenario, tmp_path):
    """`dbt build --empty` reads no raw row: it must not take every stored
    day for gone (it did, and emptied the table, before the plan was
    skipped under --empty)."""
    workdir = tmp_path / "empty"
    workdir.mkdir()
    shutil.copyfile(scenario["second"], workdir / "wh.duckdb")
    count = f"select count(*) from {TABLE}"
    (before,) = query(workdir / "wh.duckdb", count)
    step = run_dbt(STAGE_USAGE + ["--empty"], workdir=workdir,
                   raw_dir=scenario["first_delivery"],
                   dbt_vars="{as_of_date: 2026-06-30}")
    assert step.success, step.text
    assert query(workdir / "wh.duckdb", count) == [before] and before[0] > 0
