"""The data-quality report (rpt_data_quality) against the raw files.

1. On the demo build (the shared 300-account `full_db`): every check's
   rows_checked and rows_flagged equal an independent computation on the raw
   parquet files, and the demo, which is clean, flags nothing.
2. On a copy of the demo raw data with suspicious rows planted by hand: each
   check counts exactly the planted rows, the usable rows stay in the models
   (not quarantined), the checks' tests warn at the default severity, and
   error when the vars say so (dq_severity, dq_severity_by_check, the
   dq_<check>_max_share thresholds).
"""

from __future__ import annotations

import csv
import datetime as dt
import shutil
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from conftest import REPO_ROOT, query, run_dbt

# Raw tables with a date rule and the column it reads (after_as_of_date).
DATED_TABLES = {
    "accounts": "created_at",
    "subscriptions": "start_date",
    "invoices": "issued_at",
    "users": "created_at",
    "usage_events": "occurred_at",
    "support_tickets": "opened_at",
    "nps_responses": "responded_at",
    "success_goals": "start_date",
}

REPORT_SQL = """
    select check_name, table_name, rows_flagged, rows_checked, example_keys,
           extra_arr_usd, severity, is_above_threshold
    from marts.rpt_data_quality
"""


def _report(db_path: Path) -> dict[tuple[str, str], dict]:
    rows = query(db_path, REPORT_SQL)
    names = ["check_name", "table_name", "rows_flagged", "rows_checked",
             "example_keys", "extra_arr_usd", "severity",
             "is_above_threshold"]
    return {(r[0], r[1]): dict(zip(names, r)) for r in rows}


def _seed_values(name: str, column: str) -> list[str]:
    with open(REPO_ROOT / "seeds" / f"{name}.csv", newline="",
              encoding="utf-8") as handle:
        return [row[column] for row in csv.DictReader(handle)]


def _independent_counts(raw_dir: Path, as_of: dt.date) -> dict:
    """{(check, table): (rows_flagged, rows_checked)} computed from the raw
    parquet files of a CLEAN data set (nothing quarantined), with SQL written
    here from the check definitions, not taken from the models."""
    con = duckdb.connect()
    try:
        for table in [*DATED_TABLES, "csms"]:
            con.execute(
                f"create view {table} as select * from "
                f"read_parquet('{raw_dir}/{table}.parquet')")
        con.execute("create table iso(code varchar)")
        con.executemany("insert into iso values (?)",
                        [(c,) for c in _seed_values("iso_country_codes",
                                                    "country_code")])
        con.execute("create table catalog(name varchar)")
        con.executemany("insert into catalog values (?)",
                        [(c,) for c in _seed_values("event_catalog",
                                                    "event_name")])
        out = {}
        out[("usage_before_account_start", "usage_events")] = con.execute("""
            with first_sub as (
                select lower(trim(account_id)) as a, min(start_date) as s
                from subscriptions group by 1)
            select
                count(*) filter (where cast(e.occurred_at as date) < least(
                    cast(ac.created_at as date),
                    coalesce(f.s, date '9999-12-31'))),
                count(*)
            from usage_events e
            join accounts ac
                on lower(trim(ac.account_id)) = lower(trim(e.account_id))
            left join first_sub f on f.a = lower(trim(e.account_id))
        """).fetchone()
        out[("overlapping_paid_subscriptions", "subscriptions")] = con.execute(
            """
            with paid as (select * from subscriptions where amount > 0)
            select
                count(*) filter (where exists (
                    select 1 from paid o
                    where o.account_id = p.account_id
                      and o.subscription_id <> p.subscription_id
                      and p.start_date < coalesce(o.end_date, date '9999-12-31')
                      and o.start_date < coalesce(p.end_date, date '9999-12-31')
                )),
                count(*)
            from paid p
        """).fetchone()
        out[("usage_user_in_other_account", "usage_events")] = con.execute("""
            select count(*) filter (where lower(trim(u.account_id))
                                    <> lower(trim(e.account_id))),
                   count(*)
            from usage_events e
            join users u on lower(trim(u.user_id)) = lower(trim(e.user_id))
            where nullif(trim(e.user_id), '') is not null
        """).fetchone()
        out[("invoice_subscription_in_other_account", "invoices")] = (
            con.execute("""
            select count(*) filter (where lower(trim(s.account_id))
                                    <> lower(trim(i.account_id))),
                   count(*)
            from invoices i
            join subscriptions s
                on lower(trim(s.subscription_id))
                   = lower(trim(i.subscription_id))
            where nullif(trim(i.subscription_id), '') is not null
        """).fetchone())
        for table, column in DATED_TABLES.items():
            out[("after_as_of_date", table)] = con.execute(
                f"select count(*) filter (where cast({column} as date) > ?),"
                f" count(*) from {table}", [as_of]).fetchone()
        out[("non_iso_country", "accounts")] = con.execute("""
            select count(*) filter (where upper(trim(country))
                                    not in (select code from iso)),
                   count(*)
            from accounts where nullif(trim(country), '') is not null
        """).fetchone()
        out[("event_not_in_catalog", "usage_events")] = con.execute("""
            select count(*) filter (where lower(trim(event_name))
                                    not in (select name from catalog)),
                   count(*)
            from usage_events
        """).fetchone()
        return {key: tuple(int(v) for v in value)
                for key, value in out.items()}
    finally:
        con.close()


def _raw_as_of(raw_dir: Path) -> dt.date:
    """The default as-of date: the last usage event's day."""
    con = duckdb.connect()
    try:
        return con.execute(
            "select max(cast(occurred_at as date)) from "
            f"read_parquet('{raw_dir}/usage_events.parquet')").fetchone()[0]
    finally:
        con.close()


# --------------------------------------------------------------------------
# 1. demo build
# --------------------------------------------------------------------------


def test_report_matches_raw_files_on_demo(full_db, generated_raw):
    report = _report(full_db)
    expected = _independent_counts(generated_raw, _raw_as_of(generated_raw))
    got = {key: (row["rows_flagged"], row["rows_checked"])
           for key, row in report.items()}
    assert got == expected
    # The demo is clean: nothing flagged, every check really looked at rows.
    assert all(flagged == 0 for flagged, _ in got.values()), got
    assert all(checked > 0 for _, checked in got.values()), got
    assert all(row["severity"] == "warn" and not row["is_above_threshold"]
               for row in report.values())
    overlap = report[("overlapping_paid_subscriptions", "subscriptions")]
    assert overlap["extra_arr_usd"] == Decimal("0.00")


# --------------------------------------------------------------------------
# 2. planted suspicious rows
# --------------------------------------------------------------------------

DQ_TESTS = {
    "usage_before_account_start": "dq_usage_before_account_start",
    "overlapping_paid_subscriptions": "dq_overlapping_paid_subscriptions",
    "usage_user_in_other_account": "dq_usage_user_in_other_account",
    "invoice_subscription_in_other_account":
        "dq_invoice_subscription_in_other_account",
    "after_as_of_date": "dq_after_as_of_date",
    "non_iso_country": "dq_non_iso_country",
    "event_not_in_catalog": "dq_event_not_in_catalog",
}

SELECTION = ["--select", "+rpt_data_quality", "int_usage_daily",
             "--indirect-selection", "cautious",
             "--exclude", "test_type:unit"]


def _plant(raw: Path, as_of: dt.date) -> dict:
    """Add suspicious rows to the raw parquet files in `raw` (a copy of the
    demo). Returns the facts the expectations below are written from."""
    con = duckdb.connect()
    try:
        def frame(table: str) -> str:
            return f"read_parquet('{raw}/{table}.parquet')"

        # An account with exactly one subscription: paid, open-ended,
        # started at least 60 days before the as-of date.
        lone = con.execute(f"""
            select account_id, subscription_id, amount, currency,
                   billing_interval
            from {frame('subscriptions')}
            where account_id in (
                select account_id from {frame('subscriptions')}
                group by 1 having count(*) = 1)
              and amount > 0 and end_date is null
              and start_date <= ? - interval 60 day
            order by account_id limit 1
        """, [as_of]).fetchone()
        assert lone is not None
        lone_account, lone_sub = lone[0], lone[1]
        # Two accounts and one user of the second one.
        first, second = [r[0] for r in con.execute(
            f"select account_id from {frame('accounts')} "
            "order by account_id limit 2").fetchall()]
        start = con.execute(f"""
            select least(cast(a.created_at as date),
                         coalesce(min(s.start_date), date '9999-12-31'))
            from {frame('accounts')} a
            left join {frame('subscriptions')} s using (account_id)
            where a.account_id = ? group by a.created_at
        """, [first]).fetchone()[0]
        user_of_second = con.execute(
            f"select min(user_id) from {frame('users')} where account_id = ?",
            [second]).fetchone()[0]
        sub_of_second = con.execute(
            f"select min(subscription_id) from {frame('subscriptions')} "
            "where account_id = ?", [second]).fetchone()[0]
        assert user_of_second and sub_of_second

        before = dt.datetime.combine(start - dt.timedelta(days=10),
                                     dt.time(12))
        recent = dt.datetime.combine(as_of - dt.timedelta(days=3),
                                     dt.time(12))
        future = dt.datetime.combine(as_of + dt.timedelta(days=5),
                                     dt.time(12))
        events = [
            # before the account existed: 3, kept
            ("P-BEFORE-1", first, None, "login", before, 1),
            ("P-BEFORE-2", first, None, "search", before, 2),
            ("P-BEFORE-3", first, None, "login", before, 1),
            # user of another account: 2, kept
            ("P-USER-1", first, user_of_second, "search", recent, 1),
            ("P-USER-2", first, user_of_second, "login", recent, 1),
            # after the as-of date: 1, quarantined
            ("P-FUTURE-1", first, None, "login", future, 1),
            # not in the catalog: 3, quarantined
            ("P-UNKNOWN-1", first, None, "Teleport", recent, 1),
            ("P-UNKNOWN-2", first, None, "teleport ", recent, 1),
            ("P-UNKNOWN-3", first, None, "beam", recent, 4),
        ]
        con.execute(f"create table usage_events as "
                    f"select * from {frame('usage_events')}")
        con.executemany("insert into usage_events values (?, ?, ?, ?, ?, ?)",
                        events)

        con.execute(f"create table subscriptions as "
                    f"select * from {frame('subscriptions')}")
        con.execute(
            "insert into subscriptions values (?, ?, 'team', 'month', 1,"
            " 1.00, 'USD', ?, null, null, null)",
            ["P-OVERLAP-1", lone_account, as_of - dt.timedelta(days=30)])

        con.execute(f"create table invoices as "
                    f"select * from {frame('invoices')}")
        issued = as_of - dt.timedelta(days=20)
        con.execute(
            "insert into invoices values (?, ?, ?, ?, ?, 10.00, 'USD',"
            " 'open', null)",
            ["P-INV-1", first, sub_of_second, issued,
             issued + dt.timedelta(days=30)])
        con.execute(
            "insert into invoices values (?, ?, null, ?, ?, 10.00, 'USD',"
            " 'open', null)",
            ["P-INV-FUTURE", first, as_of + dt.timedelta(days=10),
             as_of + dt.timedelta(days=40)])

        con.execute(f"create table accounts as "
                    f"select * from {frame('accounts')}")
        con.execute("update accounts set country = 'XX' where account_id = ?",
                    [first])
        con.execute("update accounts set country = ' qq' "
                    "where account_id = ?", [second])

        for table in ("usage_events", "subscriptions", "invoices",
                      "accounts"):
            tmp = raw / f"{table}.tmp.parquet"
            con.execute(f"copy {table} to '{tmp}' (format parquet)")
            tmp.replace(raw / f"{table}.parquet")
        return {"first": first.lower(), "second": second.lower(),
                "before": before.date(),
                "lone_account": lone_account.lower(),
                "lone_sub": lone_sub.lower()}
    finally:
        con.close()


@pytest.fixture(scope="module")
def planted(generated_raw, tmp_path_factory):
    """Demo raw data + planted rows, built up to rpt_data_quality."""
    raw = tmp_path_factory.mktemp("raw_dq") / "data"
    shutil.copytree(generated_raw, raw,
                    ignore=shutil.ignore_patterns("_planted_truth"))
    as_of = _raw_as_of(generated_raw)
    baseline = _independent_counts(raw, as_of)
    facts = _plant(raw, as_of)
    dbt_vars = f"{{as_of_date: '{as_of}'}}"
    run = run_dbt(["build", *SELECTION],
                  workdir=tmp_path_factory.mktemp("dbt_dq"),
                  raw_dir=raw, dbt_vars=dbt_vars)
    return {"run": run, "raw": raw, "as_of": as_of, "baseline": baseline,
            **facts}


def test_planted_rows_are_counted(planted):
    run = planted["run"]
    assert run.success, run.text
    base = planted["baseline"]
    assert all(flagged == 0 for flagged, _ in base.values()), base
    report = _report(run.db_path)

    def counts(check, table):
        row = report[(check, table)]
        return row["rows_flagged"], row["rows_checked"], row["example_keys"]

    usage = base[("usage_before_account_start", "usage_events")][1]
    # 9 planted events: 5 clean (3 before the start, 2 of another account's
    # user), 1 after the as-of date and 3 unknown names quarantined.
    assert counts("usage_before_account_start", "usage_events") == (
        3, usage + 5, "p-before-1, p-before-2, p-before-3")
    with_user = base[("usage_user_in_other_account", "usage_events")][1]
    assert counts("usage_user_in_other_account", "usage_events") == (
        2, with_user + 2, "p-user-1, p-user-2")
    linked = base[("invoice_subscription_in_other_account", "invoices")][1]
    assert counts("invoice_subscription_in_other_account", "invoices") == (
        1, linked + 1, "p-inv-1")
    paid = base[("overlapping_paid_subscriptions", "subscriptions")][1]
    overlap = report[("overlapping_paid_subscriptions", "subscriptions")]
    assert (overlap["rows_flagged"], overlap["rows_checked"]) == (2, paid + 1)
    assert overlap["example_keys"] == f"p-overlap-1, {planted['lone_sub']}"
    # Planted: 1.00 USD a month = 12.00 ARR, below the existing one.
    assert overlap["extra_arr_usd"] == Decimal("12.00")
    assert counts("non_iso_country", "accounts") == (
        2, 300, f"{planted['first']} (XX), {planted['second']} (QQ)")
    assert counts("event_not_in_catalog", "usage_events") == (
        3, usage + 9, "beam, teleport")
    for table in DATED_TABLES:
        extra = {"usage_events": 9, "invoices": 2,
                 "subscriptions": 1}.get(table, 0)
        flagged = {"usage_events": 1, "invoices": 1}.get(table, 0)
        keys = {"usage_events": "p-future-1",
                "invoices": "p-inv-future"}.get(table)
        assert counts("after_as_of_date", table) == (
            flagged, base[("after_as_of_date", table)][1] + extra, keys)


def test_flagged_rows_stay_in_the_models(planted):
    run = planted["run"]
    assert run.success, run.text
    db = run.db_path
    kept = query(db, """
        select event_id from staging.stg_raw__usage_events
        where event_id like 'p-%' order by 1""")
    assert [k for (k,) in kept] == ["p-before-1", "p-before-2", "p-before-3",
                                    "p-user-1", "p-user-2"]
    # ... and reach the usage rollup every behaviour model reads (quantities
    # 1 + 2 + 1 on that day; the demo has no usage of the account before it
    # existed).
    assert query(db, f"""
        select sum(event_count) from intermediate.int_usage_daily
        where account_id = '{planted['first']}'
          and activity_date = date '{planted['before']}'""") == [(4,)]
    assert query(db, """
        select is_paid from intermediate.int_subscriptions_normalised
        where subscription_id = 'p-overlap-1'""") == [(True,)]
    assert query(db, """
        select count(*) from staging.stg_raw__invoices
        where invoice_id = 'p-inv-1'""") == [(1,)]
    assert query(db, f"""
        select country from staging.stg_raw__accounts
        where account_id in ('{planted['first']}', '{planted['second']}')
        order by account_id""") == [("XX",), ("QQ",)]
    # The quarantined ones carry their reason.
    assert sorted(query(db, """
        select event_id, rejection_reason
        from staging.stg_raw__usage_events__quarantine""")) == [
        ("p-future-1", "after_as_of_date"),
        ("p-unknown-1", "unknown_event_name"),
        ("p-unknown-2", "unknown_event_name"),
        ("p-unknown-3", "unknown_event_name"),
    ]


def test_checks_warn_by_default(planted):
    run = planted["run"]
    assert run.success, run.text
    statuses = run.statuses()
    expected = {name: "warn" for name in DQ_TESTS.values()}
    # Below their default max share of 0.01: 3 of ~365k events, 1 of
    # ~2,400 invoices.
    expected["dq_usage_before_account_start"] = "pass"
    expected["dq_after_as_of_date"] = "pass"
    assert {name: statuses.get(name) for name in DQ_TESTS.values()} == expected


def test_checks_error_when_the_vars_say_so(planted, tmp_path):
    run = planted["run"]
    assert run.success, run.text
    dbt_vars = (
        f"{{as_of_date: '{planted['as_of']}', dq_severity: error,"
        " dq_severity_by_check: {non_iso_country: warn},"
        " dq_usage_before_account_start_max_share: 0.0,"
        " dq_after_as_of_date_max_share: 0.0,"
        " dq_event_not_in_catalog_max_share: 0.5}")
    again = run_dbt(
        ["test", "--select", "rpt_data_quality",
         "--exclude", "test_type:unit"],
        workdir=Path(run.db_path).parent, raw_dir=planted["raw"],
        dbt_vars=dbt_vars)
    assert not again.success
    statuses = again.statuses()
    expected = {name: "fail" for name in DQ_TESTS.values()}
    expected["dq_non_iso_country"] = "warn"
    # 3 of ~365k events is below a max share of 0.5.
    expected["dq_event_not_in_catalog"] = "pass"
    assert {name: statuses.get(name) for name in DQ_TESTS.values()} == expected
    assert "Traceback" not in again.text


def test_events_command_agrees_with_the_report(planted):
    """The figure the events command prints (rows not in the catalog) is the
    report's event_not_in_catalog count on the same raw files."""
    from cs_segments import events

    run = planted["run"]
    assert run.success, run.text
    catalog = events.read_catalog(events.DEFAULT_CATALOG)
    stats, totals = events.event_stats(
        planted["raw"] / "usage_events.parquet", "parquet", catalog)
    unknown = {s.event_name: s.rows for s in stats if not s.in_catalog}
    assert unknown == {"teleport": 2, "beam": 1}
    row = _report(run.db_path)[("event_not_in_catalog", "usage_events")]
    assert (sum(unknown.values()), totals.rows) == (
        row["rows_flagged"], row["rows_checked"])
