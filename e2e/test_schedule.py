"""Scheduled runs: any schedule gives the same warehouse as a full build.

A scheduler runs the project on the raw data delivered so far. To reproduce
that, the shared demo data (e2e/conftest.py `generated_raw`, 300 accounts, as
of 2026-06-30) is cut into deliveries: the delivery of day D holds the rows
dated on or before D (usage by occurred_at, invoices by issued_at, ...), so
the default inferred as-of date moves with the data, as in production. Each
delivery also holds back a few usage events dated 8 to 20 days before D
(about 1 in 20 of those days): they arrive in a later delivery, dated well
before the last processed day (late data). The last delivery is the whole
data set, so the shared full build is its reference.

One warehouse is built on the first delivery and then run on each later one
(steps of 1 and 1 day: two consecutive daily runs, then 3, 7, 10 and 28
days, then the same data again). After each run but the first (a build of
an empty warehouse, itself the full build of its delivery) every table and
view of the warehouse is compared with a from-scratch build on the same
delivery (`except all` both ways), except the as-published log, which
records runs by design, and the load-metadata columns (when a row was
written: they differ between any two builds).
"""

from __future__ import annotations

import re
import shutil
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest
import yaml

from conftest import (
    REPO_ROOT, RAW_TABLES, compared_columns, differences, query, run_dbt,
)

from cs_segments.deliveries import write_delivery

LAST_DELIVERY = date(2026, 6, 30)  # cs_segments.generate default --as-of
# Steps between runs, in days: two daily runs, then 3, 7, 10 and 28 days,
# then a repeated run on the same data (0).
STEPS = [1, 1, 3, 7, 10, 28, 0]
FIRST_DELIVERY = LAST_DELIVERY - timedelta(days=sum(STEPS))

# Usage events dated in (D - LATE_FROM_DAYS, D - LATE_TO_DAYS] are held back
# from delivery D when hash(event_id) % LATE_ONE_IN = 0.
LATE_FROM_DAYS, LATE_TO_DAYS, LATE_ONE_IN = 20, 8, 20

# A scheduled run: seeds and models, and the usage reconciliation test (the
# full suite of data tests runs once, in e2e/test_build.py).
RUN_ARGS = ["build", "--select", "resource_type:seed", "resource_type:model",
            "assert_usage_daily_reconciles", "--indirect-selection", "empty"]
FULL_ARGS = ["build", "--select", "resource_type:seed", "resource_type:model",
             "--indirect-selection", "empty"]


def delivery_dates() -> list[date]:
    dates, day = [FIRST_DELIVERY], FIRST_DELIVERY
    for step in STEPS:
        day += timedelta(days=step)
        dates.append(day)
    assert dates[-1] == LAST_DELIVERY
    return dates


@pytest.fixture(scope="module")
def deliveries(generated_raw, tmp_path_factory) -> dict[date, Path]:
    root = tmp_path_factory.mktemp("deliveries")
    return {
        day: write_delivery(
            Path(generated_raw), root / day.isoformat(),
            None if day == LAST_DELIVERY else day,
            late=(LATE_FROM_DAYS, LATE_TO_DAYS, LATE_ONE_IN))
        for day in delivery_dates()
    }


def deliver(delivery: Path, export_dir: Path) -> Path:
    """Copy a delivery into the export folder the scheduler reads (always
    the same folder, as in production; it also keeps dbt's partial parsing
    valid between runs)."""
    export_dir.mkdir(parents=True, exist_ok=True)
    for table in RAW_TABLES:
        shutil.copyfile(delivery / f"{table}.parquet",
                        export_dir / f"{table}.parquet")
    return export_dir


def run_and_keep(args: list[str], workdir: Path, raw_dir: Path, name: str,
                 dbt_vars: str | None = None):
    """Run dbt on the warehouse of `workdir`, then keep a copy of the
    warehouse under `name` (the next run goes on in the same warehouse)."""
    step = run_dbt(args, workdir=workdir, raw_dir=raw_dir, dbt_vars=dbt_vars)
    if step.success:
        snapshot = workdir / f"{name}.duckdb"
        snapshot.write_bytes(step.db_path.read_bytes())
        step.db_path = snapshot
    return step


@pytest.fixture(scope="module")
def scheduled_runs(deliveries, tmp_path_factory):
    """One warehouse, run once per delivery: [(day, DbtRun)]; the runs
    after a failed one are not attempted."""
    workdir = tmp_path_factory.mktemp("scheduled")
    export_dir = workdir / "export"
    runs = []
    for day in delivery_dates():  # the last day twice: a repeated run
        step = run_and_keep(RUN_ARGS, workdir,
                            deliver(deliveries[day], export_dir),
                            f"after_{len(runs)}_{day.isoformat()}")
        runs.append((day, step))
        if not step.success:
            break
    return runs


@pytest.fixture(scope="module")
def full_builder(tmp_path_factory):
    """Builds from scratch on a delivery; one work folder for all of them
    (an empty warehouse each time)."""
    workdir = tmp_path_factory.mktemp("full_builds")
    export_dir = workdir / "export"

    def build(day: date, delivery: Path):
        (workdir / "wh.duckdb").unlink(missing_ok=True)
        return run_and_keep(FULL_ARGS, workdir, deliver(delivery, export_dir),
                            f"full_{day.isoformat()}")
    return build


def test_deliveries_hold_late_rows(deliveries, generated_raw):
    """The simulation is what it says: every delivery but the last holds
    back usage rows that a later delivery brings, dated before the day the
    warehouse had already processed."""
    days = list(deliveries)
    con = duckdb.connect()
    try:
        for earlier, later in zip(days, days[1:]):
            late = con.execute(f"""
                select count(*), max(cast(occurred_at as date))
                from read_parquet('{deliveries[later]}/usage_events.parquet')
                where
                    cast(occurred_at as date) <= date '{earlier}'
                    and event_id not in (
                        select event_id from read_parquet(
                            '{deliveries[earlier]}/usage_events.parquet'))
            """).fetchone()
            assert late[0] > 0, f"no late rows between {earlier} and {later}"
            assert late[1] < earlier, (earlier, later, late)
    finally:
        con.close()


@pytest.mark.parametrize("index", range(len(STEPS) + 1))
def test_scheduled_run_equals_full_build(index, scheduled_runs, deliveries,
                                         full_db, full_builder):
    assert index < len(scheduled_runs), "an earlier scheduled run failed"
    day, step = scheduled_runs[index]
    assert step.success, f"scheduled run on the delivery of {day}:\n{step.text}"
    # the default (inferred) as-of date moved with the delivered data
    as_of = query(step.db_path, "select as_of_date, as_of_date_source "
                                "from staging.stg_raw__as_of_date")
    assert as_of == [(day, "usage_events")], as_of
    if index == 0:
        # The first run builds an empty warehouse: it is the full build of
        # its delivery (a second one would only show dbt is deterministic).
        assert query(step.db_path, "select is_incremental, is_full_refresh "
                     "from marts.rpt_last_run") == [(False, False)]
        return
    if day == LAST_DELIVERY:
        reference = full_db  # the shared full build: same data
    else:
        full = full_builder(day, deliveries[day])
        assert full.success, full.text
        reference = full.db_path
    diff = differences(step.db_path, reference)
    assert not diff, (
        f"run {index} (delivery of {day}, step "
        f"{STEPS[index - 1] if index else 'first'} days) differs from a "
        f"full build: {{table: (only scheduled, only full)}} = {diff}")


# Weekly panels whose row for a date reads only data dated on or before it.
# Not in the list: the flags, rules, membership and backtest tables, which
# depend on the churn indicators learned from all the data up to the latest
# week end.
POINT_IN_TIME_PANELS = (
    "int_account_weeks", "int_account_usage_weekly",
    "int_account_feature_usage_weekly", "int_account_support_weekly",
    "int_account_nps_weekly", "int_account_billing_weekly",
    "int_account_behaviour_weekly", "int_account_behaviour_candidates_weekly",
    "int_account_value_weekly", "int_account_lifecycle_weekly",
    "int_goal_attainment_weekly", "int_account_outcomes_weekly",
)


@pytest.mark.parametrize("index", range(1, len(STEPS)))
def test_week_ends_do_not_move_between_runs(index, scheduled_runs):
    """The weekly grid does not depend on the day a run happens (issue 8,
    point 1): the run after a step of 1, 3, 7, 10 or 28 days has the same
    week ends as the run before it, and every point-in-time panel has the
    same rows on them. Compared on the week ends older than the late rows
    of either delivery (LATE_FROM_DAYS before the earlier day), where both
    deliveries hold the same data. With a grid of the as-of date and every
    7th day before it, two runs 1, 3 or 10 days apart share no date."""
    assert index + 1 < len(scheduled_runs), "an earlier scheduled run failed"
    (earlier_day, earlier), (later_day, later) = scheduled_runs[index:index + 2]
    assert earlier.success and later.success
    settled = earlier_day - timedelta(days=LATE_FROM_DAYS + 1)
    dates_sql = ("select as_of_date from intermediate.int_as_of_dates "
                 f"where not is_current and as_of_date <= date '{settled}'")
    shared = set(query(earlier.db_path, dates_sql)) & set(
        query(later.db_path, dates_sql))
    assert len(shared) >= 4, (
        f"runs of {earlier_day} and {later_day} share {len(shared)} weekly "
        f"dates up to {settled}")
    moved = {}
    con = duckdb.connect()
    try:
        con.execute(f"attach '{earlier.db_path}' as a (read_only)")
        con.execute(f"attach '{later.db_path}' as b (read_only)")
        for table in POINT_IN_TIME_PANELS:
            # week_index counts back from each run's latest week end; a
            # goal's goal_inputs_hash takes its account's subscriptions
            # started up to the run's last closed as-of date (bookkeeping
            # of what a later run may keep, not a value of the week end)
            columns = ("* exclude (week_index)"
                       if table == "int_account_weeks"
                       else compared_columns(con, "a", "intermediate", table))
            if table == "int_goal_attainment_weekly":
                columns = columns.replace(', "goal_inputs_hash"', "")
                assert "goal_inputs_hash" not in columns
            a, b = (f"select {columns} from {db}.intermediate.{table} "
                    f"where as_of_date <= date '{settled}'"
                    for db in ("a", "b"))
            rows = con.execute(f"select count(*) from ({a})").fetchone()[0]
            only_a = con.execute(
                f"select count(*) from ({a} except all {b})").fetchone()[0]
            only_b = con.execute(
                f"select count(*) from ({b} except all {a})").fetchone()[0]
            assert rows > 0, table
            if only_a or only_b:
                moved[table] = (only_a, only_b)
    finally:
        con.close()
    assert not moved, (
        f"rows of past week ends changed between the runs of {earlier_day} "
        f"and {later_day}: {{table: (only earlier, only later)}} = {moved}")


MISSING_USAGE_SQL = """
    select count(*) from (
        select account_id, user_id, event_name,
            cast(occurred_at as date), sum(quantity)
        from staging.stg_raw__usage_events group by all
        except all
        select account_id, user_id, event_name, activity_date, event_count
        from intermediate.int_usage_daily)
"""


def test_late_rows_are_lost_without_changed_day_detection(
        deliveries, scheduled_runs, tmp_path_factory):
    """The reconciliation test catches the late-row case: with changed-day
    detection off (the lookback only, as before issue 8), the late rows of
    the second delivery never reach int_usage_daily and
    assert_usage_daily_reconciles fails; with it on (the default: the
    scheduled runs' second run, on the same two deliveries), it passes."""
    days = list(deliveries)
    selection = ["build", "--select", "+int_usage_daily",
                 "assert_usage_daily_reconciles",
                 "--indirect-selection", "empty"]
    workdir = tmp_path_factory.mktemp("late_no_detection")
    for day in days[:2]:
        run = run_dbt(
            selection, workdir=workdir,
            raw_dir=deliver(deliveries[day], workdir / "export"),
            dbt_vars="{usage_daily_detect_changed_days: false}")
    assert run.statuses().get("assert_usage_daily_reconciles") == "fail", \
        run.text
    assert query(run.db_path, MISSING_USAGE_SQL)[0][0] > 0
    assert len(scheduled_runs) > 1, "an earlier scheduled run failed"
    day, detected = scheduled_runs[1]
    assert day == days[1]
    assert detected.statuses().get(
        "assert_usage_daily_reconciles") == "pass", detected.text
    assert query(detected.db_path, MISSING_USAGE_SQL) == [(0,)]


def test_future_dated_event_does_not_move_the_as_of_date(
        generated_raw, tmp_path_factory):
    """One usage event dated 2031 in each of the 300 accounts: the inferred
    as-of date stays 2026-06-30 (from usage_events), and the 300 events are
    quarantined as future_dated; nothing else changes reason."""
    raw = Path(generated_raw)
    out = tmp_path_factory.mktemp("future_dated") / "data"
    out.mkdir()
    con = duckdb.connect()
    try:
        for table in RAW_TABLES:
            source = f"read_parquet('{raw / (table + '.parquet')}')"
            sql = f"select * from {source}"
            if table == "usage_events":
                sql += f"""
                    union all by name
                    select
                        'future-' || account_id as event_id,
                        account_id,
                        null as user_id,
                        'login' as event_name,
                        timestamp '2031-03-01 10:00:00' as occurred_at,
                        1 as quantity
                    from read_parquet('{raw / 'accounts.parquet'}')
                """
            con.execute(f"copy ({sql}) to '{out / (table + '.parquet')}' "
                        "(format parquet)")
    finally:
        con.close()
    staged = run_dbt(["build", "--select", "+stg_raw__usage_events__quarantine",
                      "--indirect-selection", "empty"],
                     workdir=tmp_path_factory.mktemp("dbt_future"),
                     raw_dir=out)
    assert staged.success, staged.text
    assert query(staged.db_path, """
        select as_of_date, as_of_date_source, is_inferred,
            latest_raw_usage_date, future_dated_usage_rows
        from staging.stg_raw__as_of_date
    """) == [(LAST_DELIVERY, "usage_events", True, date(2031, 3, 1), 300)]
    reasons = dict(query(staged.db_path, """
        select rejection_reason, count(*)
        from staging.stg_raw__usage_events__quarantine
        where event_id like 'future-%'
        group by 1
    """))
    assert reasons == {"future_dated": 300}, reasons
    assert "as-of date 2026-06-30 (source: usage_events); 300 usage events" \
        in staged.text, staged.text[-2000:]


# ---- history: restated marts and the as-published log --------------------

PUBLISHED = "marts.fct_segment_membership_published"

# README "Restated history and the as-published log": which segments was
# account X in on date D, as known on date K (as published by the runs).
AS_KNOWN_SQL = """
select segment_key, evidence
from marts.fct_segment_membership_published
where
    account_id = $account_id
    and publication_number = (
        select max(publication_number)
        from marts.fct_segment_membership_published
        where published_as_of_date <= least($on_date, $known_on)
    )
order by segment_key
"""


def _as_known(db: Path, account_id: str, on_date: date, known_on: date):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(AS_KNOWN_SQL, {
            "account_id": account_id, "on_date": on_date,
            "known_on": known_on}).fetchall()
    finally:
        con.close()


def test_every_var_is_fingerprinted_or_declared_operational():
    """A new threshold var cannot silently escape the rules fingerprint."""
    text = (REPO_ROOT / "macros" / "history.sql").read_text()

    def names(macro: str) -> set[str]:
        body = text.split(f"macro {macro}()")[1].split("endmacro")[0]
        return set(re.findall(r"'([a-z_]+)'", body))

    rules, operational = names("history_rule_vars"), names(
        "history_operational_vars")
    project = yaml.safe_load((REPO_ROOT / "dbt_project.yml").read_text())
    declared = set(project["vars"]) | {"raw_dir", "raw_format"}
    assert not rules & operational
    assert declared == rules | operational, (
        declared - rules - operational, (rules | operational) - declared)


def test_published_log_has_one_publication_per_run_date(scheduled_runs):
    assert all(step.success for _, step in scheduled_runs)
    last_db = scheduled_runs[-1][1].db_path
    publications = query(last_db, f"""
        select publication_number, published_as_of_date,
            count(distinct dbt_invocation_id)
        from {PUBLISHED} group by 1, 2 order by 1
    """)
    run_dates = sorted({day for day, _ in scheduled_runs})
    assert publications == [
        (number, day, 1) for number, day in enumerate(run_dates, start=1)]
    # each publication is exactly what that run's fct_account_segments said
    for number, (day, step) in enumerate(scheduled_runs[:-1], start=1):
        con = duckdb.connect()
        try:
            con.execute(f"attach '{last_db}' as log_db (read_only)")
            con.execute(f"attach '{step.db_path}' as run_db (read_only)")
            cols = "account_id, segment_key, dimension, entered_at, evidence"
            published = f"""select {cols} from log_db.{PUBLISHED}
                where publication_number = {number}"""
            marts = f"select {cols} from run_db.marts.fct_account_segments"
            for left, right in ((published, marts), (marts, published)):
                assert con.execute(f"select count(*) from ({left} except all "
                                   f"{right})").fetchone()[0] == 0, day
        finally:
            con.close()


def test_last_run_reports_what_it_added(scheduled_runs):
    facts = "select is_incremental, is_published_by_this_run, days_added, " \
            "as_of_date from marts.rpt_last_run"
    first_day, first = scheduled_runs[0]
    assert query(first.db_path, facts) == [(False, True, None, first_day)]
    daily_day, daily = scheduled_runs[1]
    assert query(daily.db_path, facts) == [(True, True, 1, daily_day)]
    # the repeated run on the same data publishes nothing new
    repeat_day, repeat = scheduled_runs[-1]
    assert query(repeat.db_path, facts) == [(True, False, 0, repeat_day)]


# A change of vars between scheduled runs: an activation var and a rule
# threshold, with a query whose result each changes in a full build.
CHANGED_VARS = ("{lifecycle_activation_active_users: 5, "
                "segment_churn_risk_min_score: 20.0}")
CHANGED_QUERIES = {
    "lifecycle_activation_active_users":
        "select count(*) from intermediate.int_account_activation",
    "segment_churn_risk_min_score":
        "select count(*) from "
        "intermediate.int_account_segment_membership_weekly "
        "where segment_key = 'behaviour_churn_risk'",
}


def test_rule_change_is_recorded_and_full_refresh_keeps_the_log(
        scheduled_runs, deliveries, tmp_path_factory):
    workdir = tmp_path_factory.mktemp("rule_change")
    before_db = scheduled_runs[-1][1].db_path
    shutil.copyfile(before_db, workdir / "wh.duckdb")
    changed = run_dbt(
        ["build", "--full-refresh", *FULL_ARGS[1:]], workdir=workdir,
        raw_dir=deliver(deliveries[LAST_DELIVERY], workdir / "export"),
        dbt_vars=CHANGED_VARS)  # a rule threshold among them
    assert changed.success, changed.text
    con = duckdb.connect()
    try:
        con.execute(f"attach '{before_db}' as before_db (read_only)")
        con.execute(f"attach '{changed.db_path}' as after_db (read_only)")
        kept = con.execute(f"""
            select count(*) from (
                from before_db.{PUBLISHED}
                except all
                from after_db.{PUBLISHED})
        """).fetchone()[0]
        assert kept == 0, "--full-refresh changed or dropped published rows"
        last = con.execute(f"""
            select publication_number, published_as_of_date,
                bool_and(is_rules_change), count(distinct rules_fingerprint)
            from after_db.{PUBLISHED}
            where publication_number = (
                select max(publication_number) from after_db.{PUBLISHED})
            group by 1, 2
        """).fetchall()
        previous_fingerprints = con.execute(
            f"select distinct rules_fingerprint from before_db.{PUBLISHED}"
        ).fetchall()
    finally:
        con.close()
    number_before = len({day for day, _ in scheduled_runs})
    assert last == [(number_before + 1, LAST_DELIVERY, True, 1)], last
    assert len(previous_fingerprints) == 1
    assert query(changed.db_path, "select is_full_refresh, is_rules_change "
                                  "from marts.rpt_last_run") == [(True, True)]


def test_var_change_between_runs_equals_full_build(
        scheduled_runs, deliveries, tmp_path_factory):
    """A change of vars between scheduled runs must reach every table the
    incremental models keep: int_account_activation keeps the accounts
    activated before the new days (an activation var must recompute every
    account); a rule threshold must reach every past week's segments
    (int_account_behaviour_weekly, the segment rules and the membership
    keep the dates whose inputs are unchanged: the rule vars are part of
    the rules' fingerprint). The run equals a full build with the new vars,
    table by table. (Both vars change in one run: either path, left stale,
    makes the run differ from the full build.)"""
    assert scheduled_runs[-1][1].success, "a scheduled run failed"
    before_db = scheduled_runs[-1][1].db_path
    incremental_dir = tmp_path_factory.mktemp("var_incremental")
    shutil.copyfile(before_db, incremental_dir / "wh.duckdb")
    incremental = run_dbt(
        RUN_ARGS, workdir=incremental_dir,
        raw_dir=deliver(deliveries[LAST_DELIVERY], incremental_dir / "export"),
        dbt_vars=CHANGED_VARS)
    assert incremental.success, incremental.text
    full_dir = tmp_path_factory.mktemp("var_full")
    full = run_dbt(
        FULL_ARGS, workdir=full_dir,
        raw_dir=deliver(deliveries[LAST_DELIVERY], full_dir / "export"),
        dbt_vars=CHANGED_VARS)
    assert full.success, full.text
    # Each var changes the result of a full build (else this test would
    # show nothing for it).
    unchanged = [var for var, sql in CHANGED_QUERIES.items()
                 if query(full.db_path, sql) == query(before_db, sql)]
    assert not unchanged, unchanged
    diff = differences(incremental.db_path, full.db_path)
    assert not diff, (
        f"an incremental run after a var change ({CHANGED_VARS}) differs "
        f"from a full build: {{table: (only incremental, only full)}} = "
        f"{diff}")


# Past rows changed in place between two runs (a correction in the source
# system), each dated a few weeks before the last delivery: (key column,
# date column, days back from, days back to, the row picked, the change).
# The subscription is also canceled two weeks back, to end after the last
# delivery.
CHANGED_PAST_ROWS = {
    "subscriptions": (
        "subscription_id", "start_date", 63, 21, "end_date is null",
        "seats = seats + 5, "
        "canceled_at = timestamp '{last}' - interval 14 day, "
        "end_date = date '{last}' + interval 20 day"),
    "invoices": (
        "invoice_id", "issued_at", 75, 45, "status = 'paid'",
        "status = 'open'"),
    "support_tickets": (
        "ticket_id", "opened_at", 63, 21, "priority in ('low', 'normal')",
        "priority = 'urgent'"),
    "nps_responses": (
        "response_id", "responded_at", 63, 21, "score <> 5",
        "score = 10 - score"),
}
# The point-in-time panels stored by fingerprint with dated inputs
# (macros/as_of_fingerprints.sql), and the changed (table, column) whose
# date (the earlier of its value before and after the change) is the first
# as-of date each must rewrite: the value panel from the subscription's
# start (its seats), the lifecycle panel from its cancellation (its term
# end; its end date is after every as-of date), the billing panel from the
# earlier of the value rows and the day of the invoice's payment, taken
# back (its status reads open again, its payment day kept: before that
# day the paid invoice read as open, so nothing changes there).
CHANGED_PANELS = {
    "int_account_value_weekly": [("subscriptions", "start_date")],
    "int_account_lifecycle_weekly": [("subscriptions", "canceled_at")],
    "int_account_billing_weekly": [
        ("subscriptions", "start_date"), ("invoices", "paid_at")],
    "int_account_support_weekly": [("support_tickets", "opened_at")],
    "int_account_nps_weekly": [("nps_responses", "responded_at")],
}


def test_changed_past_rows_recompute_the_dates_on_or_after_them(
        scheduled_runs, deliveries, full_db, tmp_path_factory):
    """A subscription (its seats, and a cancellation), an invoice (its
    status), a ticket and an NPS response dated weeks back are changed in
    place after the
    last scheduled run. The next run equals a full build on the changed
    data (every table), each panel differs in that full build from the
    one before the change (else this would prove nothing), and each panel
    rewrote exactly its as-of dates on or after the earliest change it
    reads: the earlier dates keep the rows the last run wrote."""
    assert scheduled_runs[-1][1].success, "a scheduled run failed"
    before_db = scheduled_runs[-1][1].db_path
    changed_raw = tmp_path_factory.mktemp("changed_past_rows") / "data"
    shutil.copytree(deliveries[LAST_DELIVERY], changed_raw)
    changed_on: dict[tuple[str, str], date] = {}
    con = duckdb.connect()
    try:
        for table, (key, dated, back_from, back_to, pick, change) in (
                CHANGED_PAST_ROWS.items()):
            path = changed_raw / f"{table}.parquet"
            con.execute(f"create table t as from read_parquet('{path}')")
            row = con.execute(f"""
                select {key} from t
                where cast({dated} as date) between
                    date '{LAST_DELIVERY}' - interval {back_from} day
                    and date '{LAST_DELIVERY}' - interval {back_to} day
                    and ({pick})
                order by {dated}, {key} limit 1
            """).fetchone()
            assert row, f"no {table} row to change"
            columns = sorted({column for pairs in CHANGED_PANELS.values()
                              for name, column in pairs if name == table})
            select_dates = (
                f"select {', '.join(f'cast({c} as date)' for c in columns)}"
                f" from t where {key} = ?")
            before = con.execute(select_dates, [row[0]]).fetchone()
            con.execute(f"update t set {change.format(last=LAST_DELIVERY)} "
                        f"where {key} = ?", [row[0]])
            after = con.execute(select_dates, [row[0]]).fetchone()
            for column, *values in zip(columns, before, after):
                changed_on[(table, column)] = min(
                    value for value in values if value is not None)
            con.execute(f"copy t to '{path}' (format parquet)")
            con.execute("drop table t")
    finally:
        con.close()
    workdir = tmp_path_factory.mktemp("changed_incremental")
    shutil.copyfile(before_db, workdir / "wh.duckdb")
    incremental = run_dbt(RUN_ARGS, workdir=workdir,
                          raw_dir=deliver(changed_raw, workdir / "export"))
    assert incremental.success, incremental.text
    full_dir = tmp_path_factory.mktemp("changed_full")
    full = run_dbt(FULL_ARGS, workdir=full_dir,
                   raw_dir=deliver(changed_raw, full_dir / "export"))
    assert full.success, full.text
    shown = differences(full.db_path, full_db)
    unchanged = [panel for panel in CHANGED_PANELS
                 if f"intermediate.{panel}" not in shown]
    assert not unchanged, unchanged
    diff = differences(incremental.db_path, full.db_path)
    assert not diff, (
        f"an incremental run after past rows changed differs from a full "
        f"build: {{table: (only incremental, only full)}} = {diff}")
    con = duckdb.connect()
    try:
        con.execute(f"attach '{incremental.db_path}' as after_run "
                    "(read_only)")
        con.execute(f"attach '{before_db}' as before_run (read_only)")
        for panel, changes in CHANGED_PANELS.items():
            earliest = min(changed_on[change] for change in changes)
            dates = con.execute(f"""
                select
                    as_of_date,
                    bool_or(coalesce(
                        after_rows.loaded_at <> before_rows.loaded_at, true))
                from after_run.intermediate.{panel} as after_rows
                left join before_run.intermediate.{panel} as before_rows
                    using (account_id, as_of_date)
                group by 1
                order by 1
            """).fetchall()
            rewritten = [day for day, written in dates if written]
            expected = [day for day, _ in dates if day >= earliest]
            assert rewritten == expected, (panel, earliest, rewritten)
            assert len(expected) < len(dates), (panel, "no date kept")
    finally:
        con.close()


def test_as_known_on_query(scheduled_runs):
    """The README query: segments of account X on date D as known on date K
    come from the latest publication on or before both dates."""
    runs = {day: step for day, step in scheduled_runs}
    last_db = scheduled_runs[-1][1].db_path
    days = sorted(runs)
    account = query(last_db, "select min(account_id) from "
                              "marts.fct_account_segments")[0][0]

    def marts_of(day):
        return query(runs[day].db_path, f"""
            select segment_key, evidence from marts.fct_account_segments
            where account_id = '{account}' order by segment_key""")

    # D between two runs, known later: the run before D
    between = days[2] + timedelta(days=1)
    assert between < days[3]
    assert _as_known(last_db, account, between, days[-1]) == marts_of(days[2])
    # D later than K: what was known on K
    assert _as_known(last_db, account, days[-1], days[1]) == marts_of(days[1])
    # before the first run: nothing known
    assert _as_known(last_db, account, days[0] - timedelta(days=1),
                     days[-1]) == []
