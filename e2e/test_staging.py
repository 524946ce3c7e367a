"""End-to-end tests of the raw input contract and the staging layer.

1. the demo-data generator is deterministic;
2. a missing column or file stops dbt with the contract message (no
   traceback);
3. on generated data every raw row lands in staging or quarantine
   (reconciliation), and the dbt tests of staging pass;
4. on the hand-written dirty fixture (e2e/fixtures/dirty, column
   expected_rule) every bad row is quarantined with exactly the expected
   reason and every good row is staged;
5. CSV and parquet inputs of the same data stage to the same rows.
"""

from __future__ import annotations

import collections
import csv
import os
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from conftest import (
    FIXTURES,
    GEN_ACCOUNTS,
    GEN_SEED,
    RAW_KEYS,
    RAW_TABLES,
    REPO_ROOT,
    STAGING_SELECTION,
    compared_columns,
    generate_demo,
    query,
    run_dbt,
)

# The rules of the staging brief: each must be exercised by the dirty fixture.
REQUIRED_RULES = {
    "null_key",
    "duplicate_key",
    "orphan_account_id",
    "orphan_csm_id",
    "orphan_subscription_id",
    "orphan_user_id",
    "unparseable_amount",
    "negative_amount",
    "amount_out_of_range",
    "invalid_number",
    "unparseable_date",
    "unknown_currency",
    "unknown_billing_interval",
    "unknown_status",
    "unknown_priority",
    "unknown_event_name",
    "unknown_metric",
    "end_before_start",
    "after_as_of_date",
    "score_out_of_range",
}


def _same_rows(left: Path, right: Path) -> bool:
    """True when two parquet files hold the same multiset of rows."""
    con = duckdb.connect()
    try:
        diff = con.execute(
            f"""
            select count(*) from (
                (select * from read_parquet('{left}')
                 except all
                 select * from read_parquet('{right}'))
                union all
                (select * from read_parquet('{right}')
                 except all
                 select * from read_parquet('{left}'))
            )
            """
        ).fetchone()[0]
        return diff == 0
    finally:
        con.close()


# --------------------------------------------------------------------------
# 1. generator determinism
# --------------------------------------------------------------------------


def test_generator_is_deterministic(generated_raw, tmp_path):
    again = generate_demo(tmp_path / "same_seed")
    other = generate_demo(tmp_path / "other_seed", seed=GEN_SEED + 1)
    for table in RAW_TABLES:
        first = generated_raw / f"{table}.parquet"
        assert first.exists(), f"generator wrote no {table}.parquet"
        assert _same_rows(first, again / f"{table}.parquet"), (
            f"{table}: same seed gave different rows"
        )
    differing = [
        table
        for table in RAW_TABLES
        if not _same_rows(
            generated_raw / f"{table}.parquet", other / f"{table}.parquet"
        )
    ]
    assert differing, "a different seed gave identical data in every table"
    # The demo really is the requested size.
    assert query_raw_count(generated_raw, "accounts") == GEN_ACCOUNTS


def query_raw_count(raw_dir: Path, table: str) -> int:
    con = duckdb.connect()
    try:
        return con.execute(
            f"select count(*) from read_parquet('{raw_dir}/{table}.parquet')"
        ).fetchone()[0]
    finally:
        con.close()


# --------------------------------------------------------------------------
# 2. raw input contract errors
# --------------------------------------------------------------------------


@pytest.fixture()
def broken_copy(generated_raw, tmp_path) -> Path:
    out = tmp_path / "raw"
    shutil.copytree(generated_raw, out)
    return out


def _drop_column(path: Path, column: str) -> None:
    con = duckdb.connect()
    try:
        tmp = path.with_suffix(".tmp.parquet")
        con.execute(
            f"copy (select * exclude ({column}) from read_parquet('{path}'))"
            f" to '{tmp}' (format parquet)"
        )
    finally:
        con.close()
    tmp.replace(path)


def _cli(args: list[str], raw_dir: Path, workdir: Path) -> subprocess.CompletedProcess:
    """dbt as a user runs it (a separate process), to see its output."""
    env = dict(os.environ)
    env.update(
        CS_DUCKDB_PATH=str(workdir / "wh.duckdb"),
        CS_RAW_DIR=str(raw_dir),
        CS_RAW_FORMAT="parquet",
        DBT_PROFILES_DIR=str(REPO_ROOT),
        DBT_TARGET_PATH=str(workdir / "target"),
        DBT_LOG_PATH=str(workdir / "logs"),
    )
    code = "from dbt.cli.main import cli; cli()"
    return subprocess.run(
        [sys.executable, "-c", code, *args,
         "--project-dir", str(REPO_ROOT), "--profiles-dir", str(REPO_ROOT)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_missing_column_gives_contract_error(broken_copy, tmp_path):
    path = broken_copy / "subscriptions.parquet"
    _drop_column(path, "currency")
    run = run_dbt(
        ["run", "--select", "stg_raw__csms"],
        workdir=tmp_path / "dbt",
        raw_dir=broken_copy,
    )
    assert not run.success
    text = run.text
    assert "Raw input contract violated" in text, text
    assert f"file {path} is missing required column 'currency'" in text, text
    assert "Traceback" not in text

    # What a user sees at the command line: the message, no traceback.
    proc = _cli(["run", "--select", "stg_raw__csms"], broken_copy,
                tmp_path / "cli")
    shown = proc.stdout + proc.stderr
    assert proc.returncode != 0
    assert "is missing required column 'currency'" in shown, shown
    assert str(path) in shown, shown
    assert "Traceback" not in shown, shown


def test_missing_file_gives_contract_error(broken_copy, tmp_path):
    path = broken_copy / "subscriptions.parquet"
    path.unlink()
    run = run_dbt(
        ["run", "--select", "stg_raw__csms"],
        workdir=tmp_path / "dbt",
        raw_dir=broken_copy,
    )
    assert not run.success
    text = run.text
    assert "Raw input contract violated" in text, text
    assert f"missing file {path}" in text, text
    assert "table 'subscriptions' is required" in text, text
    assert "Traceback" not in text


def test_missing_optional_file_and_column_read_as_empty(broken_copy,
                                                       tmp_path):
    """An optional table's file may be absent (staged empty) and an optional
    column may be absent (read as null); the required ones may not."""
    (broken_copy / "nps_responses.parquet").unlink()
    _drop_column(broken_copy / "accounts.parquet", "industry")
    run = run_dbt(
        ["build", "--select", "stg_raw__nps_responses", "stg_raw__accounts",
         "+stg_raw__nps_responses", "resource_type:seed",
         "--indirect-selection", "cautious", "--exclude", "test_type:unit"],
        workdir=tmp_path / "dbt",
        raw_dir=broken_copy,
    )
    assert run.success, run.text
    (nps_rows, accounts_rows, industries), = query(
        run.db_path,
        "select (select count(*) from staging.stg_raw__nps_responses),"
        " (select count(*) from staging.stg_raw__accounts),"
        " (select count(industry) from staging.stg_raw__accounts)",
    )
    assert nps_rows == 0
    assert accounts_rows == query_raw_count(broken_copy, "accounts")
    assert industries == 0


def test_optional_quantity_column_may_be_absent(broken_copy, tmp_path):
    """usage_events.quantity is optional: without it every event counts 1."""
    _drop_column(broken_copy / "usage_events.parquet", "quantity")
    run = run_dbt(
        ["build", "--select", "stg_raw__usage_events", "+stg_raw__usage_events",
         "resource_type:seed", "--indirect-selection", "cautious",
         "--exclude", "test_type:unit"],
        workdir=tmp_path / "dbt",
        raw_dir=broken_copy,
    )
    assert run.success, run.text
    quantities = query(
        run.db_path,
        "select distinct quantity from staging.stg_raw__usage_events",
    )
    assert quantities == [(1,)]


# --------------------------------------------------------------------------
# 3. reconciliation on generated data
# --------------------------------------------------------------------------


def test_staging_builds_and_its_tests_pass(staged_generated):
    assert staged_generated.success, staged_generated.text
    statuses = staged_generated.statuses()
    reconcile = {k: v for k, v in statuses.items()
                 if k.startswith("source_raw_rows_reconcile_raw_")}
    assert len(reconcile) == len(RAW_TABLES), statuses
    assert set(reconcile.values()) == {"pass"}, reconcile
    failed = {k: v for k, v in statuses.items()
              if v not in ("pass", "success")}
    assert not failed, failed


@pytest.mark.parametrize("table", RAW_TABLES)
def test_reconciliation_on_generated_data(staged_generated, generated_raw,
                                          table):
    assert staged_generated.success, staged_generated.text
    raw_rows = query_raw_count(generated_raw, table)
    stg_rows, quarantine_rows = query(
        staged_generated.db_path,
        f"select (select count(*) from staging.stg_raw__{table}),"
        f" (select count(*) from staging.stg_raw__{table}__quarantine)",
    )[0]
    assert raw_rows == stg_rows + quarantine_rows
    assert stg_rows > 0


def test_reconciliation_test_detects_a_lost_row(staged_generated, tmp_path):
    """The singular test really fails when a table does not add up."""
    assert staged_generated.success, staged_generated.text
    target = Path(staged_generated.db_path).parent / "target"
    compiled = list(target.rglob(
        "compiled/**/source_raw_rows_reconcile_raw_usage_events_*.sql"))
    assert compiled, "compiled reconciliation test not found"
    sql = compiled[0].read_text()
    # Simulate one clean usage event going missing.
    broken = sql.replace(
        "from \"wh\".\"staging\".\"stg_raw__usage_events\"",
        "from (select * from \"wh\".\"staging\".\"stg_raw__usage_events\""
        " limit (select count(*) - 1 from"
        " \"wh\".\"staging\".\"stg_raw__usage_events\"))",
    )
    assert broken != sql
    con = duckdb.connect(str(staged_generated.db_path), read_only=True)
    try:
        assert con.execute(sql).fetchall() == []
        rows = con.execute(broken).fetchall()
    finally:
        con.close()
    assert [row[0] for row in rows] == ["usage_events"]


# --------------------------------------------------------------------------
# 4. dirty fixture: every row gets exactly its hand-written expected rule
# --------------------------------------------------------------------------


def _fixture_rows(table: str) -> list[dict]:
    with open(FIXTURES / "dirty" / f"{table}.csv", newline="") as handle:
        return list(csv.DictReader(handle))


def _raw(value: str) -> str | None:
    """A CSV field as DuckDB reads it: an empty unquoted field is null."""
    return None if value == "" else value


def test_dirty_fixture_covers_every_rule():
    rules = set()
    for table in RAW_TABLES:
        rows = _fixture_rows(table)
        assert any(r["expected_rule"] == "" for r in rows), table
        rules |= {r["expected_rule"] for r in rows if r["expected_rule"]}
    assert REQUIRED_RULES <= rules, REQUIRED_RULES - rules


def test_dirty_fixture_builds(staged_dirty):
    assert staged_dirty.success, staged_dirty.text


@pytest.mark.parametrize("table", RAW_TABLES)
def test_dirty_rows_land_where_expected(staged_dirty, table):
    assert staged_dirty.success, staged_dirty.text
    key = RAW_KEYS[table]
    rows = _fixture_rows(table)
    raw_columns = [c for c in rows[0] if c != "expected_rule"]

    # Quarantine: the same multiset of (reason, raw values) as the fixture,
    # so a duplicate is pinned to the exact copy that must be rejected.
    expected_q = collections.Counter(
        (r["expected_rule"], tuple(_raw(r[c]) for c in raw_columns))
        for r in rows
        if r["expected_rule"]
    )
    got_q = collections.Counter(
        (reason, tuple(raw))
        for reason, *raw in query(
            staged_dirty.db_path,
            "select rejection_reason, "
            + ", ".join(f"raw_{c}" for c in raw_columns)
            + f" from staging.stg_raw__{table}__quarantine",
        )
    )
    assert got_q == expected_q, (
        f"missing: {expected_q - got_q}\nunexpected: {got_q - expected_q}"
    )

    # Staging: exactly the good rows, by normalised key, once each.
    expected_keys = sorted(
        r[key].strip().lower() for r in rows if not r["expected_rule"]
    )
    got_keys = sorted(
        k for (k,) in query(
            staged_dirty.db_path, f"select {key} from staging.stg_raw__{table}"
        )
    )
    assert got_keys == expected_keys


def _one(db_path: Path, sql: str) -> tuple:
    rows = query(db_path, sql)
    assert len(rows) == 1, rows
    return rows[0]


def test_dirty_values_are_normalised(staged_dirty):
    """Spot checks of cleaned values, worked out by hand from the CSVs."""
    db = staged_dirty.db_path
    assert staged_dirty.success, staged_dirty.text
    # ' ACC-2 ' is trimmed and lower-cased; empty employee_count and csm_id
    # are null.
    assert _one(db, "select account_id, employee_count, csm_id, country "
                    "from staging.stg_raw__accounts "
                    "where account_name = 'Beta Ltd'") == ("acc-2", None,
                                                           None, "GB")
    # 'CSM-2' on acc-3 matches the padded ' CSM-2 ' of csms.
    assert _one(db, "select csm_id from staging.stg_raw__accounts "
                    "where account_id = 'acc-3'") == ("csm-2",)
    # acc-1: of two copies, 'Acme' sorts before 'Acme Duplicate' and is kept.
    assert _one(db, "select account_name from staging.stg_raw__accounts "
                    "where account_id = 'acc-1'") == ("Acme",)
    # acc-12: the copy with the impossible date is rejected, the other kept.
    assert _one(db, "select cast(created_at as date) "
                    "from staging.stg_raw__accounts "
                    "where account_id = 'acc-12'")[0].isoformat() == "2023-02-28"
    # 'Annual' is a synonym of year, 'monthly' of month; currency upper-cased.
    assert _one(db, "select billing_interval, currency, plan_name "
                    "from staging.stg_raw__subscriptions "
                    "where subscription_id = 'sub-2'") == ("year", "EUR",
                                                           "business")
    assert _one(db, "select billing_interval, currency "
                    "from staging.stg_raw__subscriptions "
                    "where subscription_id = 'sub-1'") == ("month", "USD")
    # sub-3 is canceled on 2024-08-15, after the as-of date: not yet known.
    assert _one(db, "select billing_interval, canceled_at, cancel_reason "
                    "from staging.stg_raw__subscriptions "
                    "where subscription_id = 'sub-3'") == ("month", None,
                                                           None)
    # INV-1 (450.00) sorts before inv-1 (500.00): the cheaper copy is kept.
    assert _one(db, "select amount from staging.stg_raw__invoices "
                    "where invoice_id = 'inv-1'") == (Decimal("450.00"),)
    # inv-3 is paid on 2024-07-05, after the as-of date: still open.
    assert _one(db, "select status, paid_at from staging.stg_raw__invoices "
                    "where invoice_id = 'inv-3'") == ("open", None)
    assert _one(db, "select status, subscription_id "
                    "from staging.stg_raw__invoices "
                    "where invoice_id = 'inv-2'") == ("open", None)
    # usr-1: 'Ann@Acme.com' sorts before 'ann@acme.com' in the raw text.
    assert _one(db, "select raw_email, is_exact_duplicate "
                    "from staging.stg_raw__users__quarantine "
                    "where user_id = 'usr-1'") == ("ann@acme.com", False)
    assert _one(db, "select email, role from staging.stg_raw__users "
                    "where user_id = 'usr-1'") == ("ann@acme.com", "admin")
    # usr-2 is deactivated after the as-of date: still active.
    assert _one(db, "select deactivated_at from staging.stg_raw__users "
                    "where user_id = 'usr-2'") == (None,)
    # Empty quantity counts 1; 'API_Call' is lower-cased; 'USR-3' matches.
    assert _one(db, "select quantity from staging.stg_raw__usage_events "
                    "where event_id = 'ev-1'") == (1,)
    assert _one(db, "select event_name, user_id, quantity "
                    "from staging.stg_raw__usage_events "
                    "where event_id = 'ev-2'") == ("api_call", None, 5)
    assert _one(db, "select user_id from staging.stg_raw__usage_events "
                    "where event_id = 'ev-3'") == ("usr-3",)
    # tk-3 closes after the as-of date: open, no csat yet.
    assert _one(db, "select closed_at, csat, priority "
                    "from staging.stg_raw__support_tickets "
                    "where ticket_id = 'tk-3'") == (None, None, "urgent")
    assert _one(db, "select priority from staging.stg_raw__support_tickets "
                    "where ticket_id = 'tk-1'") == ("high",)
    # g-1 and G-1 are the same goal; 'G-1' sorts first in the raw text.
    assert _one(db, "select raw_goal_id from "
                    "staging.stg_raw__success_goals__quarantine "
                    "where goal_id = 'g-1'") == ("g-1",)
    assert _one(db, "select metric from staging.stg_raw__success_goals "
                    "where goal_id = 'g-2'") == ("seat_utilisation",)


def test_dirty_exact_duplicates_are_flagged(staged_dirty):
    assert staged_dirty.success, staged_dirty.text
    flagged = set()
    for table in RAW_TABLES:
        key = RAW_KEYS[table]
        flagged |= {
            (table, k)
            for (k,) in query(
                staged_dirty.db_path,
                f"select {key} from staging.stg_raw__{table}__quarantine "
                "where is_exact_duplicate",
            )
        }
    # Written by hand: the rows repeated verbatim in the fixture.
    assert flagged == {
        ("csms", "csm-1"),
        ("subscriptions", "sub-14"),
        ("usage_events", "ev-1"),
        ("nps_responses", "nps-1"),
    }


# --------------------------------------------------------------------------
# 5. CSV and parquet stage to the same rows
# --------------------------------------------------------------------------


def test_csv_and_parquet_stage_identically(tmp_path):
    accounts, seed = 40, 11
    parquet_dir = generate_demo(tmp_path / "pq", accounts=accounts, seed=seed)
    csv_dir = generate_demo(tmp_path / "csv", accounts=accounts, seed=seed,
                            fmt="csv")
    runs = {}
    for fmt, raw_dir in (("parquet", parquet_dir), ("csv", csv_dir)):
        runs[fmt] = run_dbt(
            ["build", "--select", "staging", "resource_type:seed",
             "--indirect-selection", "empty"],
            workdir=tmp_path / f"dbt_{fmt}",
            raw_dir=raw_dir,
            raw_format=fmt,
        )
        assert runs[fmt].success, runs[fmt].text
    con = duckdb.connect()
    try:
        con.execute(f"attach '{runs['parquet'].db_path}' as pq (read_only)")
        con.execute(f"attach '{runs['csv'].db_path}' as cs (read_only)")
        for table in RAW_TABLES:
            model = f"stg_raw__{table}"
            counts = con.execute(
                f"select (select count(*) from pq.staging.{model}),"
                f" (select count(*) from cs.staging.{model})"
            ).fetchone()
            assert counts[0] == counts[1], (table, counts)
            # every column but when the row was staged (loaded_at)
            columns = compared_columns(con, "pq", "staging", model)
            diff = con.execute(
                f"""
                select count(*) from (
                    (select {columns} from pq.staging.{model}
                     except all select {columns} from cs.staging.{model})
                    union all
                    (select {columns} from cs.staging.{model}
                     except all select {columns} from pq.staging.{model})
                )
                """
            ).fetchone()[0]
            assert diff == 0, f"{model}: {diff} rows differ between formats"
    finally:
        con.close()
