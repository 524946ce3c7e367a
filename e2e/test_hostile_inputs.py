"""Hostile settings and files (issue 9, points 2, 3 and 6).

Settings are validated before any SQL runs (macros/validate_settings.sql,
first on-run-start hook) and values that reach SQL are quoted; CSV files are
read with an explicit dialect and malformed rows are reported with table,
line and field counts (macros/raw_files.sql); the dirty fixture's hostile
rows (quoted fields, UTC offsets, amounts out of range) land where its
README says; and the main command shows one message, never a traceback.

Each dbt invocation here stops in its on-run-start hook or builds staging
only, on the small hand-written dirty fixture.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from conftest import FIXTURES, REPO_ROOT, STAGING_SELECTION, query, run_dbt

AS_OF = "{as_of_date: 2024-06-30}"


def _tables(db_path: Path) -> list[tuple]:
    """Every table or view in a DuckDB file (none when it does not exist)."""
    if not db_path.exists():
        return []
    return query(db_path, "select table_schema, table_name "
                          "from information_schema.tables")


def _dirty_copy(dest: Path) -> Path:
    shutil.copytree(FIXTURES / "dirty", dest)
    return dest


def _main_command(args: list[str], tmp: Path,
                  env: dict | None = None) -> subprocess.CompletedProcess:
    """`python -m cs_segments.run` as an operator runs it."""
    full_env = dict(os.environ)
    full_env.update(
        DBT_TARGET_PATH=str(tmp / "target"),
        DBT_LOG_PATH=str(tmp / "logs"),
        DBT_PROFILES_DIR=str(REPO_ROOT),
    )
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "cs_segments.run", *args,
         "--db", str(tmp / "work" / "wh.duckdb"),
         "--publish-to", str(tmp / "published.duckdb")],
        cwd=REPO_ROOT, env=full_env, capture_output=True, text=True,
        timeout=600, check=False,
    )


# --------------------------------------------------------------------------
# settings
# --------------------------------------------------------------------------


def test_quote_and_braces_in_raw_dir_build(tmp_path):
    raw = _dirty_copy(tmp_path / "o'brien {exports}")
    run = run_dbt(["build", *STAGING_SELECTION], workdir=tmp_path / "dbt",
                  raw_dir=raw, raw_format="csv", dbt_vars=AS_OF)
    assert run.success, run.text
    assert query(run.db_path, "select count(*) from staging.stg_raw__csms"
                 ) == [(2,)]


def test_sql_in_as_of_date_is_refused_before_any_sql(tmp_path):
    run = run_dbt(
        ["build", *STAGING_SELECTION], workdir=tmp_path / "dbt",
        raw_dir=FIXTURES / "dirty", raw_format="csv",
        dbt_vars="{as_of_date: \"2024-01-01'; create table main.pwned "
                 "as select 1; --\"}",
    )
    assert not run.success
    assert "Invalid settings" in run.text, run.text
    assert ("as_of_date must be a date written YYYY-MM-DD, got "
            "'2024-01-01'; create table") in run.text, run.text
    assert "Traceback" not in run.text
    # Not a table, not a seed, not a schema: nothing ran.
    assert _tables(run.db_path) == []


@pytest.mark.parametrize("dbt_vars, message", [
    ("{as_of_date: '2024-02-30'}",
     "as_of_date must be a real date (YYYY-MM-DD, year 1900 or later), "
     "got '2024-02-30'"),
    ("{segment_churn_risk_min_flags: '1 or true'}",
     "segment_churn_risk_min_flags must be a whole number from 1 to 1000, "
     "got '1 or true'"),
    ("{behaviour_low_seat_utilisation: 1.5}",
     "behaviour_low_seat_utilisation must be a number from 0 to 1, "
     "got '1.5'"),
    ("{history_weeks: true}",
     "history_weeks must be a whole number from 1 to 5200, got 'True'"),
    ("{segment_high_value_tiers: [strategic, gold]}",
     "segment_high_value_tiers has unknown values gold"),
    ("{segment_missing_outcome_statuses: not_achieving}",
     "segment_missing_outcome_statuses must be a list"),
    ("{raw_format: xlsx}",
     "raw_format (env CS_RAW_FORMAT) must be parquet or csv, got 'xlsx'"),
    ("{week_ends_on: 7}",
     "week_ends_on must be a weekday name (monday ... sunday), got '7'"),
    ("{data_tests_check_all_rows: 'yes'}",
     "data_tests_check_all_rows must be true or false, got 'yes'"),
])
def test_bad_setting_gives_one_clear_message(tmp_path, dbt_vars, message):
    run = run_dbt(["run", "--select", "stg_raw__csms"],
                  workdir=tmp_path / "dbt", raw_dir=FIXTURES / "dirty",
                  raw_format="csv", dbt_vars=dbt_vars)
    assert not run.success
    assert message in run.text, run.text
    assert "Traceback" not in run.text
    assert _tables(run.db_path) == []


def test_crafted_raw_dir_runs_no_sql(tmp_path):
    """A raw_dir that closes the string literal and adds a statement used to
    create the table in the contract check; now it is just a folder name
    that does not exist."""
    crafted = Path(str(tmp_path / "x") + "'); create table main.pwned as "
                   "select 42 as answer; select ('")
    run = run_dbt(["run", "--select", "stg_raw__csms"],
                  workdir=tmp_path / "dbt", raw_dir=crafted)
    assert not run.success
    assert "Raw input contract violated" in run.text, run.text
    assert (f"missing file {crafted}/accounts.parquet (table 'accounts'"
            " is required)") in run.text, run.text
    assert ("main", "pwned") not in _tables(run.db_path)
    assert _tables(run.db_path) == []


# --------------------------------------------------------------------------
# files
# --------------------------------------------------------------------------


def _append(path: Path, line: str) -> int:
    """Append one line to a CSV file; returns its line number (1-based)."""
    text = path.read_text()
    if not text.endswith("\n"):
        text += "\n"
    path.write_text(text + line + "\n")
    return len((text + line).splitlines())


def test_ragged_rows_reported_with_table_line_and_fields(tmp_path):
    raw = _dirty_copy(tmp_path / "raw")
    long_line = _append(raw / "usage_events.csv",
                        "ev-99,acc-1,usr-1,login,2024-06-01,1,,surplus")
    short_line = _append(raw / "accounts.csv", "acc-99,Short Row")
    run = run_dbt(["build", *STAGING_SELECTION], workdir=tmp_path / "dbt",
                  raw_dir=raw, raw_format="csv", dbt_vars=AS_OF)
    assert not run.success
    text = run.text
    assert (f"table 'usage_events' ({raw}/usage_events.csv), line "
            f"{long_line} has 8 fields, expected 7") in text, text
    assert (f"table 'accounts' ({raw}/accounts.csv), line {short_line} "
            "has 2 fields, expected 8") in text, text
    # Attributed to the files, not to a model that happens to read them.
    assert "base_raw__accounts" not in text
    assert "Traceback" not in text
    assert _tables(run.db_path) == []

    # The main command: the same message, no traceback.
    proc = _main_command(["--raw-dir", str(raw), "--raw-format", "csv",
                          "--as-of-date", "2024-06-30"], tmp_path / "cli")
    shown = proc.stdout + proc.stderr
    assert proc.returncode == 1, shown
    assert f"line {long_line} has 8 fields, expected 7" in shown, shown
    assert "Traceback" not in shown, shown
    assert "Nothing was published" in shown, shown


def test_quoted_field_after_the_sniffer_sample_parses(tmp_path):
    """DuckDB's sniffer reads 20,480 rows; a quoted field after them must
    parse like one at the top (explicit quote and escape)."""
    raw = _dirty_copy(tmp_path / "raw")
    rows = ["csm_id,csm_name,max_accounts"]
    rows += [f"csm-{i},Name {i},10" for i in range(1, 21001)]
    rows[20700] = 'csm-20700,"Smith, ""Jr""",10'
    (raw / "csms.csv").write_text("\n".join(rows) + "\n")
    run = run_dbt(["run", "--select", "base_raw__csms"],
                  workdir=tmp_path / "dbt", raw_dir=raw, raw_format="csv",
                  dbt_vars=AS_OF)
    assert run.success, run.text
    assert query(run.db_path,
                 "select count(*), count(rejection_reason) "
                 "from staging.base_raw__csms") == [(21000, 0)]
    assert query(run.db_path,
                 "select csm_name from staging.base_raw__csms "
                 "where csm_id = 'csm-20700'") == [('Smith, "Jr"',)]


def test_dirty_hostile_rows_parse_as_documented(staged_dirty):
    """Values worked out by hand (e2e/fixtures/dirty/README.md)."""
    assert staged_dirty.success, staged_dirty.text
    db = staged_dirty.db_path
    assert query(db, "select account_name, created_at "
                     "from staging.stg_raw__accounts "
                     "where account_id = 'acc-13'") == [
        ('Quote, "Q" Inc', dt.datetime(2024, 1, 6, 4, 30))]
    assert query(db, "select event_id, occurred_at "
                     "from staging.stg_raw__usage_events "
                     "where event_id in ('ev-13', 'ev-15') order by 1") == [
        ("ev-13", dt.datetime(2024, 6, 9, 19, 30)),
        ("ev-15", dt.datetime(2024, 6, 30, 23, 30))]
    assert query(db, "select subscription_id, raw_amount "
                     "from staging.stg_raw__subscriptions__quarantine "
                     "where rejection_reason = 'amount_out_of_range' "
                     "order by 1") == [
        ("sub-16", "92000000000"), ("sub-17", "100000000000000000000"),
        ("sub-19", "1000000000.01")]
    assert query(db, "select amount from staging.stg_raw__subscriptions "
                     "where subscription_id = 'sub-18'")[0][0] == 10 ** 9


def test_main_command_refuses_sql_in_as_of_date(tmp_path):
    proc = _main_command(
        ["--raw-dir", str(FIXTURES / "dirty"), "--raw-format", "csv",
         "--as-of-date", "2024-01-01'; select 1; --"], tmp_path)
    shown = proc.stdout + proc.stderr
    assert proc.returncode == 1, shown
    assert "as_of_date must be a date written YYYY-MM-DD" in shown, shown
    assert "Traceback" not in shown, shown
    assert not (tmp_path / "published.duckdb").exists()
    assert _tables(tmp_path / "work" / "wh.duckdb") == []
