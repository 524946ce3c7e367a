"""The whole project builds on the demo data with every dbt test passing.

This is the `dbt build` (seeds, models, data tests, unit tests, contracts) of
the README's check command; the other e2e modules read its warehouse.
"""

from __future__ import annotations

import shutil

import pytest

from conftest import execute, query, run_dbt


def _one_result(run, matches):
    """The result in `run` of the one node whose name `matches` (a
    predicate on the name)."""
    found = [node_result for node_result in run.result.results
             if matches(node_result.node.name)]
    assert len(found) == 1, run.text
    return found[0]


def _unique_result(run, model: str):
    """The result of `model`'s unique_combination test in `run`."""
    return _one_result(run, lambda name: name.startswith(
        f"unique_combination_{model}_"))


def _copy_after_pass(full_db, tmp_path, key: str):
    """A copy of the shared full build in `tmp_path`, the query of the pass
    mark of test `key` and the mark the full build recorded (exactly one)."""
    marks_sql = ("select passed_run_started_at from cs_build.test_passes "
                 f"where test_key = '{key}'")
    marks = query(full_db, marks_sql)
    assert len(marks) == 1, "the full build recorded no pass"
    db_path = tmp_path / "wh.duckdb"
    shutil.copy(full_db, db_path)
    return db_path, marks_sql, marks[0][0]


def test_full_build_passes_every_test(full_build):
    # exposures are listed in the build results with status no-op
    exposures = {node_result.node.name
                 for node_result in full_build.result.results
                 if node_result.node.resource_type == "exposure"}
    failed = {name: status for name, status in full_build.statuses().items()
              if status not in ("pass", "success")
              and not (name in exposures and status == "no-op")}
    assert full_build.success and not failed, f"{failed}\n{full_build.text}"


def test_full_build_ran_unit_and_data_tests(full_build):
    """Guard against a selection that silently runs no test."""
    kinds = {}
    for node_result in full_build.result.results:
        kinds[node_result.node.resource_type] = (
            kinds.get(node_result.node.resource_type, 0) + 1)
    assert kinds.get("unit_test", 0) >= 40, kinds
    assert kinds.get("test", 0) >= 200, kinds
    assert kinds.get("model", 0) >= 40, kinds


def test_unique_combination_finds_every_repeat(full_build):
    """The unique_combination test (tests/generic/) groups a hash of the
    combination first and compares the columns themselves only for repeated
    hashes: it must still report every repeated combination, nulls counting
    as values, with its number of rows, and nothing else; also when every
    row shares one hash (a collision for all), which leaves the work to the
    comparison of the columns."""
    assert full_build.success, full_build.text
    sql = _unique_result(full_build, "int_usage_daily").node.compiled_code
    table = '"wh"."intermediate"."int_usage_daily"'
    combination_hash = "hash(account_id, user_id, event_name, activity_date)"
    assert sql.count(table) == 2 and sql.count(combination_hash) == 2, sql
    order = "order by account_id, user_id, event_name, activity_date limit 1"
    # one account-level row (null user) twice, one user row three times
    repeated = (
        f"(select * from {table}"
        f" union all (select * from {table} where user_id is null {order})"
        f" union all (select * from {table} where user_id is not null {order})"
        f" union all (select * from {table} where user_id is not null {order}))"
    )
    expected = query(
        full_build.db_path,
        f"select account_id, user_id, event_name, activity_date, n from ("
        f"(select *, 2 as n from {table} where user_id is null {order})"
        f" union all"
        f" (select *, 3 as n from {table} where user_id is not null {order}))"
        f" order by user_id nulls first",
    )
    assert len(expected) == 2 and expected[0][1] is None, expected
    collided = sql.replace(combination_hash, "0")
    for name, text in [("hashed", sql), ("one hash for all", collided)]:
        assert query(full_build.db_path, text) == [], name
        found = query(
            full_build.db_path,
            f"select * from ({text.replace(table, repeated)})"
            f" order by user_id nulls first",
        )
        assert found == expected, (name, found)


USAGE_DAILY_UNIQUE = "test_name:unique_combination,int_usage_daily"
PASS_KEY = ("unique_combination:intermediate.int_usage_daily:"
            "account_id,user_id,event_name,activity_date")


def _pass_marks(db_path) -> list:
    return query(db_path, "select passed_run_started_at from "
                 f"cs_build.test_passes where test_key = '{PASS_KEY}'")


def _usage_daily_unique_status(run) -> str:
    return str(_unique_result(run, "int_usage_daily").status)


def test_usage_daily_uniqueness_checks_days_loaded_since_last_pass(
        full_db, generated_raw, tmp_path):
    """The uniqueness test of int_usage_daily compares the rows of the days
    with a row loaded since it last passed (macros/test_passes.sql): a copy
    of a row loaded next to the old one is found, and found again on the
    next run (a failure records no pass); once fixed the test passes and
    its mark moves on. A copy that keeps the old loaded_at (a change made
    outside dbt) is not checked again, unless data_tests_check_all_rows. A
    run with --empty (which reads no row) records no pass."""
    assert len(_pass_marks(full_db)) == 1, "the full build recorded no pass"
    (built_mark,), = _pass_marks(full_db)
    workdir = tmp_path / "wh"
    workdir.mkdir()
    shutil.copy(full_db, workdir / "wh.duckdb")
    db_path = workdir / "wh.duckdb"
    later = "cast(max(loaded_at) + interval 1 second as timestamp)"
    # a reloaded day whose old copy of one row was left behind
    execute(db_path, f"""
        insert into intermediate.int_usage_daily
        select * replace (
            (select {later} from intermediate.int_usage_daily) as loaded_at)
        from intermediate.int_usage_daily
        where activity_date = (
            select max(activity_date) from intermediate.int_usage_daily)
        limit 1
    """)

    def run_test(dbt_vars=None):
        return run_dbt(["test", "--select", USAGE_DAILY_UNIQUE],
                       workdir=workdir, raw_dir=generated_raw,
                       dbt_vars=dbt_vars)

    # --empty reads no row: it passes and must not record a pass
    empty = run_dbt(["build", "--empty", "--select", USAGE_DAILY_UNIQUE],
                    workdir=workdir, raw_dir=generated_raw)
    assert _usage_daily_unique_status(empty) == "pass", empty.text
    assert _pass_marks(db_path) == [(built_mark,)]
    first = run_test()
    assert _usage_daily_unique_status(first) == "fail", first.text
    assert "cs_build" in _unique_result(
        first, "int_usage_daily").node.compiled_code
    second = run_test()
    assert _usage_daily_unique_status(second) == "fail", second.text
    assert _pass_marks(db_path) == [(built_mark,)]

    execute(db_path, "delete from intermediate.int_usage_daily where "
            "loaded_at = (select max(loaded_at) from "
            "intermediate.int_usage_daily)")
    fixed = run_test()
    assert _usage_daily_unique_status(fixed) == "pass", fixed.text
    (fixed_mark,), = _pass_marks(db_path)
    assert fixed_mark > built_mark

    execute(db_path, "insert into intermediate.int_usage_daily "
            "select * from intermediate.int_usage_daily limit 1")
    unchecked = run_test()
    assert _usage_daily_unique_status(unchecked) == "pass", unchecked.text
    checked = run_test("{data_tests_check_all_rows: true}")
    assert _usage_daily_unique_status(checked) == "fail", checked.text


STAGED_USAGE_UNIQUE = "test_name:unique_combination,stg_raw__usage_events"
STAGED_PASS_KEY = "unique_combination:staging.stg_raw__usage_events:event_id"


def _staged_usage_unique_status(run, filtered: bool = True) -> str:
    """The test's status in `run`; `filtered`: it read the keys staged since
    its last pass (its query reads the pass record)."""
    found = _unique_result(run, "stg_raw__usage_events")
    assert ("cs_build" in found.node.compiled_code) == filtered
    return str(found.status)


def test_staged_usage_uniqueness_checks_keys_staged_since_last_pass(
        full_db, generated_raw, tmp_path):
    """The uniqueness test of stg_raw__usage_events compares every copy of
    the keys staged since it last passed (partition: the key itself). A
    copy of a key staged on another day is found, whichever day holds the
    old copy; once fixed the test passes and its mark moves on. A copy that
    keeps the old loaded_at (written outside dbt) is found only with
    data_tests_check_all_rows."""
    marks = query(full_db, "select passed_run_started_at from "
                  "cs_build.test_passes where test_key = "
                  f"'{STAGED_PASS_KEY}'")
    assert len(marks) == 1, "the full build recorded no pass"
    workdir = tmp_path / "wh"
    workdir.mkdir()
    db_path = workdir / "wh.duckdb"
    shutil.copy(full_db, db_path)
    table = "staging.base_raw__usage_events"
    # a clean row of the first day staged again, a year later, by a later run
    execute(db_path, f"""
        insert into {table}
        select * replace (
            staged_day + interval 365 day as staged_day,
            (select max(loaded_at) + interval 1 second from {table})
                as loaded_at)
        from {table}
        where rejection_reason is null
            and staged_day = (select min(staged_day) from {table}
                              where rejection_reason is null)
        limit 1
    """)

    def run_test(dbt_vars=None):
        return run_dbt(["test", "--select", STAGED_USAGE_UNIQUE],
                       workdir=workdir, raw_dir=generated_raw,
                       dbt_vars=dbt_vars)

    found = run_test()
    assert _staged_usage_unique_status(found) == "fail", found.text
    execute(db_path, f"delete from {table} where loaded_at = "
            f"(select max(loaded_at) from {table})")
    fixed = run_test()
    assert _staged_usage_unique_status(fixed) == "pass", fixed.text
    (fixed_mark,), = query(db_path, "select passed_run_started_at from "
                           "cs_build.test_passes where test_key = "
                           f"'{STAGED_PASS_KEY}'")
    assert fixed_mark > marks[0][0]

    execute(db_path, f"insert into {table} select * from {table} "
            "where rejection_reason is null limit 1")
    unchecked = run_test()
    assert _staged_usage_unique_status(unchecked) == "pass", unchecked.text
    checked = run_test("{data_tests_check_all_rows: true}")
    assert _staged_usage_unique_status(
        checked, filtered=False) == "fail", checked.text


@pytest.mark.parametrize("model, columns", [
    ("int_account_segment_rules_weekly", "account_id,as_of_date"),
    ("int_account_segment_membership_weekly",
     "account_id,as_of_date,segment_key"),
])
def test_segment_uniqueness_checks_dates_written_since_last_pass(
        model, columns, full_db, generated_raw, tmp_path):
    """The uniqueness tests of the segment rules and membership (replaced
    per as-of date) compare the rows of the dates written since they last
    passed (partition: as_of_date). A copy of a row of the oldest date
    written by a later run is found; once removed the test passes and its
    mark moves on. A copy that keeps the old loaded_at (written outside
    dbt) is found only with data_tests_check_all_rows."""
    key = f"unique_combination:intermediate.{model}:{columns}"
    db_path, marks_sql, mark = _copy_after_pass(full_db, tmp_path, key)
    table = f"intermediate.{model}"
    execute(db_path, f"""
        insert into {table}
        select * replace (
            (select max(loaded_at) + interval 1 second from {table})
                as loaded_at)
        from {table}
        where as_of_date = (select min(as_of_date) from {table})
        limit 1
    """)

    def status(dbt_vars=None) -> str:
        run = run_dbt(["test", "--select",
                       f"test_name:unique_combination,{model}"],
                      workdir=tmp_path, raw_dir=generated_raw,
                      dbt_vars=dbt_vars)
        return str(_unique_result(run, model).status)

    assert status() == "fail"
    execute(db_path, f"delete from {table} where loaded_at = "
            f"(select max(loaded_at) from {table})")
    assert status() == "pass"
    (fixed_mark,), = query(db_path, marks_sql)
    assert fixed_mark > mark
    execute(db_path, f"insert into {table} select * from {table} limit 1")
    assert status() == "pass"
    assert status("{data_tests_check_all_rows: true}") == "fail"


EXCLUSIVE = "assert_one_segment_per_exclusive_dimension"


def _singular_status(test: str, workdir, raw_dir, dbt_vars=None) -> str:
    """The status of singular test `test` run alone on the warehouse in
    `workdir`."""
    run = run_dbt(["test", "--select", test], workdir=workdir,
                  raw_dir=raw_dir, dbt_vars=dbt_vars)
    return str(_one_result(run, lambda name: name == test).status)


def _later_loaded_at(table: str) -> str:
    """A loaded_at after every row of `table` and every recorded pass: a
    row written by a later run."""
    return ("(select greatest(max(loaded_at), (select max("
            "passed_run_started_at) from cs_build.test_passes)) "
            f"+ interval 1 second from {table})")


def test_exclusive_dimension_test_checks_dates_written_since_last_pass(
        full_db, generated_raw, tmp_path):
    """The one-segment-per-exclusive-dimension test reads the as-of dates
    written since it last passed, in the membership or in the rules (its
    spine). A second value segment on the oldest date, written by a later
    run, is found; so is an account-week of the rules written later with no
    membership row. A row deleted outside dbt leaves no written date: found
    only with data_tests_check_all_rows."""
    db_path, marks_sql, mark = _copy_after_pass(full_db, tmp_path, EXCLUSIVE)
    membership = "intermediate.int_account_segment_membership_weekly"
    rules = "intermediate.int_account_segment_rules_weekly"

    def status(dbt_vars=None) -> str:
        return _singular_status(EXCLUSIVE, tmp_path, generated_raw, dbt_vars)

    def later(table: str) -> str:
        return f"{_later_loaded_at(table)} as loaded_at"

    oldest = f"(select min(as_of_date) from {membership})"
    execute(db_path, f"""
        insert into {membership}
        select * replace ('value_second_copy' as segment_key,
                          {later(membership)})
        from {membership}
        where dimension = 'value' and as_of_date = {oldest}
        limit 1
    """)
    assert status() == "fail"
    execute(db_path, f"delete from {membership} "
            "where segment_key = 'value_second_copy'")
    assert status() == "pass"
    (fixed_mark,), = query(db_path, marks_sql)
    assert fixed_mark > mark
    # a week in the rules, written later, that the membership never got
    execute(db_path, f"""
        insert into {rules}
        select * replace (as_of_date + interval 1 day as as_of_date,
                          {later(rules)})
        from {rules}
        where as_of_date = {oldest}
        limit 1
    """)
    assert status() == "fail"
    execute(db_path, f"delete from {rules} where loaded_at = "
            f"(select max(loaded_at) from {rules})")
    assert status() == "pass"
    execute(db_path, f"""
        delete from {membership} where rowid = (
            select min(rowid) from {membership}
            where dimension = 'value' and as_of_date = {oldest})
    """)
    assert status() == "pass"
    assert status("{data_tests_check_all_rows: true}") == "fail"


RECONCILES = "assert_usage_daily_reconciles"


def test_usage_reconciliation_checks_days_written_since_last_pass(
        full_db, generated_raw, tmp_path):
    """The usage reconciliation compares the figures of the days written
    since it last passed, on either side (a rollup row loaded since, or a
    staged row, quarantined included), and every run the days each side
    has. A rollup row changed by a later run is found; so is a staged row
    re-staged later that the rollup did not follow, and a day gone from
    staging that the rollup kept (nothing written: found by the days). A
    change made outside dbt (old loaded_at) is found only with
    data_tests_check_all_rows."""
    db_path, marks_sql, mark = _copy_after_pass(full_db, tmp_path, RECONCILES)
    rollup = "intermediate.int_usage_daily"
    staged = "staging.base_raw__usage_events"

    def status(dbt_vars=None) -> str:
        return _singular_status(RECONCILES, tmp_path, generated_raw,
                                dbt_vars)

    def found_then_fixed(table: str, column: str, row: str) -> None:
        """`column` of `row` changed by a later run is found; changed
        back (by that run too), the test passes."""
        execute(db_path, f"update {table} set {column} = {column} + 1, "
                f"loaded_at = {_later_loaded_at(table)} where {row}")
        assert status() == "fail"
        execute(db_path, f"update {table} set {column} = {column} - 1 "
                f"where {row}")
        assert status() == "pass"

    oldest = f"(select min(activity_date) from {rollup})"
    one_rollup_row = (f"rowid = (select min(rowid) from {rollup} "
                      f"where activity_date = {oldest})")
    found_then_fixed(rollup, "event_count", one_rollup_row)
    (fixed_mark,), = query(db_path, marks_sql)
    assert fixed_mark > mark
    # a staged row re-staged by a later run, with a new quantity
    found_then_fixed(staged, "quantity",
                     f"rowid = (select min(rowid) from {staged} "
                     "where rejection_reason is null)")
    # outside dbt: a rollup row changed, its loaded_at kept
    execute(db_path, f"update {rollup} set event_count = event_count + 1 "
            f"where {one_rollup_row}")
    assert status() == "pass"
    assert status("{data_tests_check_all_rows: true}") == "fail"
    execute(db_path, f"update {rollup} set event_count = event_count - 1 "
            f"where {one_rollup_row}")
    # a day gone from staging, kept in the rollup: no row written anywhere
    execute(db_path, f"delete from {staged} where staged_day = {oldest}")
    assert status() == "fail"
