"""Bring your own data: sparse and messy exports build green and say what
they could not compute (issue 7).

1. Fixture A, billing only: accounts.csv + subscriptions.csv, an empty
   (header-only) invoices.csv, every other table absent. A green build and
   exactly the capability rows worked out by hand below.
2. Fixture B, a product-analytics export: no users, goals or NPS; usage
   aggregated per account, event and day with a count and no user_id;
   support tickets without the optional csat column. Built through the main
   command, which must exit 0, print the capability report and no
   traceback; exactly the capability rows worked out by hand below.
3. Every spelling of the enum_synonyms seed is read as its canonical value
   in staging, and an unmapped one is still quarantined.
4. The produced-segments test names the keys and the var on failure.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import duckdb
import pytest

from conftest import REPO_ROOT, query, run_dbt

# Capabilities of the project: the seed and the catalog say what each needs.
KEY_FEATURES = ["dashboard_view", "integration_sync", "report_created",
                "report_exported", "search"]
DIMENSIONS = ["behaviour", "lifecycle", "outcomes", "value"]
MEASURES = ["active_users", "activation_milestone", "arr", "csm_capacity",
            "key_feature_adoption", "lifecycle_stage", "mrr_movements", "nps",
            "outcome_attainment", "overdue_invoices", "product_usage",
            "seat_utilisation", "support_tickets"]
BEHAVIOURS = sorted(
    [f"stopped_{f}" for f in KEY_FEATURES]
    + [f"declined_{f}" for f in KEY_FEATURES]
    + ["few_active_users", "high_priority_tickets", "low_seat_utilisation",
       "no_activity_14d", "nps_detractor", "overdue_invoice",
       "recent_contraction", "usage_decline"])
SEGMENTS = sorted(
    [f"value_{t}" for t in ["strategic", "enterprise", "growth", "long_tail"]]
    + [f"lifecycle_{s}" for s in [
        "onboarding", "adoption", "first_renewal_window", "renewal_window",
        "mature", "veteran", "churned", "reactivated"]]
    + [f"outcome_{s}" for s in [
        "achieving", "partially_achieving", "not_achieving", "no_goals"]]
    + ["behaviour_churn_risk", "behaviour_healthy_usage",
       "high_value_at_risk", "renewal_at_risk",
       "healthy_usage_missing_outcomes", "ready_to_expand",
       "long_tail_ready_to_expand"])

NO_USAGE = "usage_events is empty"
NO_USER_IDS = "usage_events has no user_id"
NO_GOALS = "success_goals is empty"
FEW_CHURNED = ("too few churned accounts to learn churn indicators"
               " (var indicator_min_churned_accounts)")

# Fixture A: only accounts and subscriptions have rows. Worked out from
# seeds/capability_requirements.csv and the catalog's requires fields.
EXPECTED_OFF_A = {
    ("dimension", "outcomes"): NO_GOALS,
    ("measure", "activation_milestone"): NO_USAGE,
    ("measure", "active_users"): NO_USAGE,
    ("measure", "seat_utilisation"): NO_USAGE,
    ("measure", "product_usage"): NO_USAGE,
    ("measure", "key_feature_adoption"): NO_USAGE,
    ("measure", "support_tickets"): "support_tickets is empty",
    ("measure", "nps"): "nps_responses is empty",
    ("measure", "overdue_invoices"): "invoices is empty",
    ("measure", "outcome_attainment"): NO_GOALS,
    ("measure", "csm_capacity"): "csms is empty",
    **{("behaviour", b): NO_USAGE for b in BEHAVIOURS
       if b.startswith(("stopped_", "declined_"))},
    ("behaviour", "usage_decline"): NO_USAGE,
    ("behaviour", "no_activity_14d"): NO_USAGE,
    ("behaviour", "low_seat_utilisation"): NO_USAGE,
    ("behaviour", "few_active_users"): NO_USAGE,
    ("behaviour", "high_priority_tickets"): "support_tickets is empty",
    ("behaviour", "nps_detractor"): "nps_responses is empty",
    ("behaviour", "overdue_invoice"): "invoices is empty",
    ("segment", "outcome_achieving"): NO_GOALS,
    ("segment", "outcome_partially_achieving"): NO_GOALS,
    ("segment", "outcome_not_achieving"): NO_GOALS,
    ("segment", "behaviour_churn_risk"): FEW_CHURNED,
    ("segment", "behaviour_healthy_usage"): NO_USAGE,
    ("segment", "high_value_at_risk"): FEW_CHURNED,
    ("segment", "renewal_at_risk"): f"{NO_GOALS}; {FEW_CHURNED}",
    ("segment", "healthy_usage_missing_outcomes"): f"{NO_GOALS}; {NO_USAGE}",
    ("segment", "ready_to_expand"): NO_USAGE,
    ("segment", "long_tail_ready_to_expand"): NO_USAGE,
}

# Fixture B: usage without user ids, no users, goals or NPS. Churn
# indicators are learned from key-feature usage (stopped_search).
EXPECTED_OFF_B = {
    ("dimension", "outcomes"): NO_GOALS,
    ("measure", "activation_milestone"): NO_USER_IDS,
    ("measure", "active_users"): NO_USER_IDS,
    ("measure", "seat_utilisation"): NO_USER_IDS,
    ("measure", "nps"): "nps_responses is empty",
    ("measure", "outcome_attainment"): NO_GOALS,
    ("behaviour", "low_seat_utilisation"): NO_USER_IDS,
    ("behaviour", "few_active_users"): NO_USER_IDS,
    ("behaviour", "nps_detractor"): "nps_responses is empty",
    ("segment", "outcome_achieving"): NO_GOALS,
    ("segment", "outcome_partially_achieving"): NO_GOALS,
    ("segment", "outcome_not_achieving"): NO_GOALS,
    ("segment", "behaviour_healthy_usage"): NO_USER_IDS,
    ("segment", "healthy_usage_missing_outcomes"):
        f"{NO_GOALS}; {NO_USER_IDS}",
    ("segment", "ready_to_expand"): NO_USER_IDS,
    ("segment", "long_tail_ready_to_expand"): NO_USER_IDS,
}


def _all_capabilities() -> set[tuple[str, str]]:
    return ({("dimension", k) for k in DIMENSIONS}
            | {("measure", k) for k in MEASURES}
            | {("behaviour", k) for k in BEHAVIOURS}
            | {("segment", k) for k in SEGMENTS})


def _expected_rows(off: dict) -> set[tuple]:
    return {(kind, key, (kind, key) not in off, off.get((kind, key)))
            for kind, key in _all_capabilities()}


def _copy_table(src: Path, dst: Path, sql: str = "select * from t") -> None:
    """Write `sql` over the parquet file `src` (as view t) to `dst`
    (CSV with a header, or parquet, by the extension)."""
    con = duckdb.connect()
    try:
        con.execute(f"create view t as select * from read_parquet('{src}')")
        fmt = "(format csv, header true)" if dst.suffix == ".csv" \
            else "(format parquet)"
        con.execute(f"copy ({sql}) to '{dst}' {fmt}")
    finally:
        con.close()


@pytest.fixture(scope="module")
def billing_only_raw(generated_raw, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("raw_billing_only")
    for table in ("accounts", "subscriptions"):
        _copy_table(generated_raw / f"{table}.parquet", out / f"{table}.csv")
    with open(out / "invoices.csv", "w", newline="") as handle:
        csv.writer(handle).writerow(
            ["invoice_id", "account_id", "subscription_id", "issued_at",
             "due_at", "amount", "currency", "status", "paid_at"])
    return out


@pytest.fixture(scope="module")
def billing_only_build(billing_only_raw, tmp_path_factory):
    # A small billing export has few churned accounts: the default minimum
    # of 30 is met by the demo, so it is raised here to the realistic case.
    # Every data test runs; the unit tests (fixed inputs, the same whatever
    # the data) run once, in the shared full build (e2e/test_build.py).
    return run_dbt(
        ["build", "--exclude-resource-type", "unit_test"],
        workdir=tmp_path_factory.mktemp("dbt_billing_only"),
        raw_dir=billing_only_raw,
        raw_format="csv",
        dbt_vars="{indicator_min_churned_accounts: 100000}",
    )


@pytest.fixture(scope="module")
def analytics_raw(generated_raw, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("raw_analytics")
    for table in ("accounts", "csms", "subscriptions", "invoices"):
        _copy_table(generated_raw / f"{table}.parquet",
                    out / f"{table}.parquet")
    _copy_table(generated_raw / "support_tickets.parquet",
                out / "support_tickets.parquet",
                "select * exclude (csat) from t")
    _copy_table(
        generated_raw / "usage_events.parquet",
        out / "usage_events.parquet",
        """
        select
            account_id || '-' || event_name || '-'
                || strftime(cast(occurred_at as date), '%Y%m%d') as event_id,
            account_id,
            event_name,
            cast(cast(occurred_at as date) as timestamp) as occurred_at,
            sum(coalesce(quantity, 1)) as quantity
        from t
        group by account_id, event_name, cast(occurred_at as date)
        """,
    )
    return out


def _run_main(raw: Path, workdir: Path, *extra: str,
              timeout: int = 900) -> subprocess.CompletedProcess:
    """`python -m cs_segments.run` on `raw`, as a user runs it, with the
    work database, published file and dbt's target and logs in `workdir`
    (the same ones on every call)."""
    env = dict(os.environ, DBT_TARGET_PATH=str(workdir / "target"),
               DBT_LOG_PATH=str(workdir / "logs"))
    return subprocess.run(
        [sys.executable, "-m", "cs_segments.run", "--raw-dir", str(raw),
         "--db", str(workdir / "wh.duckdb"),
         "--publish-to", str(workdir / "published.duckdb"), *extra],
        cwd=REPO_ROOT, env=env, capture_output=True, text=True,
        timeout=timeout, check=False)


@pytest.fixture(scope="module")
def analytics_main(analytics_raw, tmp_path_factory):
    """The main command on fixture B, as a user runs it."""
    workdir = tmp_path_factory.mktemp("main_analytics")
    return _run_main(analytics_raw, workdir), workdir / "wh.duckdb"


def _capability_rows(db: Path) -> set[tuple]:
    return set(query(db, """
        select capability_type, capability_key, is_computed,
               not_computed_reason
        from marts.rpt_capabilities
    """))


def test_billing_only_export_builds_green(billing_only_build):
    assert billing_only_build.success, billing_only_build.text


def test_billing_only_capabilities_exact(billing_only_build):
    assert billing_only_build.success, billing_only_build.text
    got = _capability_rows(billing_only_build.db_path)
    expected = _expected_rows(EXPECTED_OFF_A)
    assert got == expected, (
        f"unexpected: {sorted(got - expected)}\n"
        f"missing: {sorted(expected - got)}")


def test_billing_only_marts_have_every_account(billing_only_build,
                                               billing_only_raw):
    assert billing_only_build.success, billing_only_build.text
    raw_accounts = query(
        billing_only_build.db_path,
        f"select count(*) from read_csv('{billing_only_raw}/accounts.csv',"
        " header = true, all_varchar = true)")[0][0]
    (accounts, no_goals), = query(billing_only_build.db_path, """
        select count(*), count(*) filter (where outcome_status = 'no_goals')
        from marts.dim_accounts
    """)
    assert accounts == no_goals == raw_accounts


def test_behaviours_without_inputs_are_not_evidence(billing_only_build):
    """Only recent_contraction has its inputs in a billing-only export."""
    assert billing_only_build.success, billing_only_build.text
    keys = query(billing_only_build.db_path,
                 "select behaviour_key from intermediate."
                 "int_churn_indicator_lift")
    assert keys == [("recent_contraction",)]


def test_analytics_export_through_main_command(analytics_main):
    proc, db = analytics_main
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out
    assert "Traceback" not in out, out
    assert "What this data supports (rpt_capabilities)" in out, out
    assert f"off, {NO_USER_IDS}: " in out, out
    assert "Raw rows: staged or quarantined" in out, out
    assert "As-of date" in out, out
    assert "Published the marts" in out, out


def test_analytics_capabilities_exact(analytics_main):
    proc, db = analytics_main
    assert proc.returncode == 0, proc.stdout + proc.stderr
    got = _capability_rows(db)
    expected = _expected_rows(EXPECTED_OFF_B)
    assert got == expected, (
        f"unexpected: {sorted(got - expected)}\n"
        f"missing: {sorted(expected - got)}")


def test_analytics_usage_kept_without_users(analytics_main, analytics_raw):
    """Without a users table, events keep their rows (no orphan_user_id)."""
    proc, db = analytics_main
    assert proc.returncode == 0, proc.stdout + proc.stderr
    raw_rows = query(
        db, f"select count(*) from read_parquet("
            f"'{analytics_raw}/usage_events.parquet')")[0][0]
    staged = query(db, "select count(*) from staging.stg_raw__usage_events")
    assert staged == [(raw_rows,)]


def test_scheduled_rerun_on_unchanged_inputs_does_not_build(
        analytics_main, analytics_raw):
    """The same command again on the same files: nothing is rebuilt, the
    work database is untouched, and the summary of what BI reads is shown."""
    proc, db = analytics_main
    assert proc.returncode == 0, proc.stdout + proc.stderr
    workdir = db.parent
    before = db.stat().st_mtime_ns
    again = _run_main(analytics_raw, workdir, timeout=300)
    out = again.stdout + again.stderr
    assert again.returncode == 0, out
    assert "Nothing to do" in out, out
    assert "Building the warehouse" not in out, out
    assert "As-of date" in out, out  # the summary of the published file
    assert db.stat().st_mtime_ns == before


def _result_kinds(target: Path) -> Counter:
    """Nodes per resource type in dbt's run_results.json of `target`."""
    results = json.loads((target / "run_results.json").read_text())
    return Counter(result["unique_id"].split(".")[0]
                   for result in results["results"])


def test_rebuild_with_unchanged_code_leaves_unit_tests_out(
        analytics_main, analytics_raw):
    """The first build of a project runs dbt's unit tests; a later build
    whose project, settings and versions are those of the published build
    (here forced on the same files; a new delivery is the same case) leaves
    them out and still runs every data test."""
    proc, db = analytics_main
    assert proc.returncode == 0, proc.stdout + proc.stderr
    workdir = db.parent
    first = _result_kinds(workdir / "target")
    assert first.get("unit_test", 0) >= 40, first
    assert "Unit tests: left out" not in proc.stdout
    again = _run_main(analytics_raw, workdir, "--force")
    out = again.stdout + again.stderr
    assert again.returncode == 0, out
    assert "Unit tests: left out" in out, out
    assert "Published the marts" in out, out
    second = _result_kinds(workdir / "target")
    assert "unit_test" not in second, second
    assert second.get("test") == first.get("test"), (first, second)
    assert second.get("model") == first.get("model"), (first, second)


def test_input_fingerprint_sees_data_project_and_settings(
        tmp_path, monkeypatch):
    """What makes a scheduled run build again: a changed raw file, project
    file or CS_* setting; not where the databases are."""
    from cs_segments import inputs

    raw = tmp_path / "raw"
    project = tmp_path / "project"
    (project / "models").mkdir(parents=True)
    raw.mkdir()
    (raw / "accounts.csv").write_text("account_id\na1\n")
    (project / "models" / "m.sql").write_text("select 1")
    monkeypatch.setenv("CS_SOME_SETTING", "1")

    def current() -> dict:
        return inputs.fingerprint(project, raw, "csv", None)

    published = tmp_path / "published.duckdb"
    published.write_bytes(b"x")
    inputs.save(published, current())
    assert inputs.unchanged_since_publish(published, current())
    monkeypatch.setenv("CS_DUCKDB_PATH", str(tmp_path / "elsewhere.duckdb"))
    assert inputs.unchanged_since_publish(published, current())

    (raw / "accounts.csv").write_text("account_id\na1\na2\n")
    assert not inputs.unchanged_since_publish(published, current())
    inputs.save(published, current())
    (project / "models" / "m.sql").write_text("select 2")
    assert not inputs.unchanged_since_publish(published, current())
    inputs.save(published, current())
    monkeypatch.setenv("CS_SOME_SETTING", "2")
    assert not inputs.unchanged_since_publish(published, current())
    inputs.save(published, current())
    assert inputs.unchanged_since_publish(published, current())
    assert not inputs.unchanged_since_publish(
        published, inputs.fingerprint(project, raw, "csv", "2026-01-01"))

    # Unit tests are left out when only the data changed: the project,
    # settings and dbt/DuckDB versions are those of the published build.
    assert inputs.code_unchanged_since_publish(published, current())
    (raw / "accounts.csv").write_text("account_id\na1\na3\n")
    assert inputs.code_unchanged_since_publish(published, current())
    assert inputs.code_unchanged_since_publish(
        published, inputs.fingerprint(project, raw, "csv", "2026-01-01"))
    (project / "models" / "m.sql").write_text("select 3")
    assert not inputs.code_unchanged_since_publish(published, current())
    inputs.save(published, current())
    monkeypatch.setenv("CS_SOME_SETTING", "3")
    assert not inputs.code_unchanged_since_publish(published, current())
    inputs.save(published, current())
    real_versions = inputs._tool_versions()
    monkeypatch.setattr(inputs, "_tool_versions",
                        lambda: {**real_versions, "dbt-core": "0.0.1"})
    assert not inputs.unchanged_since_publish(published, current())
    assert not inputs.code_unchanged_since_publish(published, current())
    monkeypatch.setattr(inputs, "_tool_versions", lambda: real_versions)
    assert inputs.code_unchanged_since_publish(published, current())
    # A record of an older format (no tool versions) counts as changed code.
    old = json.loads(inputs.record_path(published).read_text())
    del old["tools"]
    inputs.record_path(published).write_text(json.dumps(old))
    assert not inputs.code_unchanged_since_publish(published, current())

    # A build run with --no-unit-tests records that its code did not pass
    # them: the next run of that code runs them, whatever the data. Only
    # the code check reads that key; "nothing to do" does not.
    inputs.save(published, current(), unit_tests_passed=False)
    assert inputs.unchanged_since_publish(published, current())
    assert not inputs.code_unchanged_since_publish(published, current())
    inputs.save(published, current(), unit_tests_passed=True)
    assert inputs.code_unchanged_since_publish(published, current())
    # A record written before the key existed was written after they passed.
    old = json.loads(inputs.record_path(published).read_text())
    del old[inputs.UNIT_TESTS_PASSED]
    inputs.record_path(published).write_text(json.dumps(old))
    assert inputs.code_unchanged_since_publish(published, current())
    assert inputs.unchanged_since_publish(published, current())

    published.unlink()  # no published file: always build
    assert not inputs.unchanged_since_publish(published, current())
    assert not inputs.code_unchanged_since_publish(published, current())


# --------------------------------------------------------------------------
# 3. synonyms
# --------------------------------------------------------------------------

SYNONYM_COLUMNS = {
    # domain: (table, key column, value column, staged column)
    "country": ("accounts", "account_id", "country", "country"),
    "billing_interval": ("subscriptions", "subscription_id",
                         "billing_interval", "billing_interval"),
    "invoice_status": ("invoices", "invoice_id", "status", "status"),
    "ticket_priority": ("support_tickets", "ticket_id", "priority",
                        "priority"),
}


def _seed_synonyms() -> list[dict]:
    with open(REPO_ROOT / "seeds" / "enum_synonyms.csv", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def synonyms_build(tmp_path_factory):
    """Staging over a CSV folder with one row per synonym of the seed (in
    upper case with spaces around, as exports write them), plus one
    unmapped spelling per domain."""
    out = tmp_path_factory.mktemp("raw_synonyms")
    rows = _seed_synonyms()
    by_domain: dict[str, list[tuple[str, str]]] = {}
    for row in rows:
        by_domain.setdefault(row["domain"], []).append(
            (f"  {row['raw_value'].upper()} ", row["canonical_value"]))
    for domain in by_domain:
        by_domain[domain].append(("not-a-" + domain, None))

    def write(name: str, header: list[str], lines: list[list[str]]):
        with open(out / f"{name}.csv", "w", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(header)
            writer.writerows(lines)

    write("accounts", ["account_id", "created_at", "country"],
          [["a-0", "2024-01-01", "DE"]]
          + [[f"a-{i}", "2024-01-01", raw]
             for i, (raw, _) in enumerate(by_domain["country"], 1)])
    write("subscriptions",
          ["subscription_id", "account_id", "billing_interval", "seats",
           "amount", "currency", "start_date"],
          [[f"s-{i}", "a-0", raw, "1", "10", "USD", "2024-01-01"]
           for i, (raw, _) in enumerate(by_domain["billing_interval"], 1)])
    write("invoices",
          ["invoice_id", "account_id", "issued_at", "due_at", "amount",
           "currency", "status"],
          [[f"i-{i}", "a-0", "2024-02-01", "2024-03-01", "10", "USD", raw]
           for i, (raw, _) in enumerate(by_domain["invoice_status"], 1)])
    write("support_tickets",
          ["ticket_id", "account_id", "opened_at", "priority"],
          [[f"t-{i}", "a-0", "2024-02-01", raw]
           for i, (raw, _) in enumerate(by_domain["ticket_priority"], 1)])
    run = run_dbt(
        ["build", "--select", "staging", "resource_type:seed",
         "--exclude", "test_type:unit", "--indirect-selection", "cautious"],
        workdir=tmp_path_factory.mktemp("dbt_synonyms"),
        raw_dir=out, raw_format="csv",
        dbt_vars="{as_of_date: 2024-06-30}")
    return run, by_domain


@pytest.mark.parametrize("domain", sorted(SYNONYM_COLUMNS))
def test_every_synonym_is_applied(synonyms_build, domain):
    run, by_domain = synonyms_build
    assert run.success, run.text
    table, key, column, staged_column = SYNONYM_COLUMNS[domain]
    prefix = {"accounts": "a", "subscriptions": "s", "invoices": "i",
              "support_tickets": "t"}[table]
    staged = dict(query(run.db_path,
                        f"select {key}, {staged_column}"
                        f" from staging.stg_raw__{table}"))
    quarantined = dict(query(
        run.db_path,
        f"select {key}, rejection_reason"
        f" from staging.stg_raw__{table}__quarantine"))
    for i, (raw, canonical) in enumerate(by_domain[domain], 1):
        row_key = f"{prefix}-{i}"
        if canonical is not None:
            assert staged.get(row_key) == canonical, (raw, staged.get(row_key))
        elif domain == "country":
            # An unknown country is kept (upper-cased); the data-quality
            # report flags it.
            assert staged.get(row_key) == raw.upper()
        else:
            assert row_key in quarantined, (raw, staged.get(row_key))
            assert quarantined[row_key].startswith("unknown_")


# --------------------------------------------------------------------------
# 4. the produced-segments test names keys and var
# --------------------------------------------------------------------------


def test_unproduced_segment_is_named_with_its_var(full_db, generated_raw,
                                                 tmp_path):
    """Without lifecycle_veteran documented as empty (the demo is younger
    than 36 months), the test stops naming the key and the var. Run on a
    copy: a failing test marks the shared build as not publishable."""
    shutil.copy(full_db, tmp_path / "wh.duckdb")
    run = run_dbt(
        ["test", "--select", "assert_catalog_segments_produced"],
        workdir=tmp_path,
        raw_dir=generated_raw,
        dbt_vars="{segments_documented_empty: []}",
    )
    assert not run.success
    assert "lifecycle_veteran" in run.text, run.text
    assert "segments_documented_empty" in run.text, run.text


# --------------------------------------------------------------------------
# 5. the summary tells the truth about a failed run
# --------------------------------------------------------------------------


def test_main_command_reports_a_failed_build_without_traceback(
        billing_only_raw, tmp_path):
    """A required file missing: the build fails at the contract check; the
    main command says why, exits 1 and prints no traceback."""
    broken = tmp_path / "raw"
    broken.mkdir()
    (broken / "accounts.csv").write_text(
        (billing_only_raw / "accounts.csv").read_text())
    env = dict(os.environ)
    env.update(DBT_TARGET_PATH=str(tmp_path / "target"),
               DBT_LOG_PATH=str(tmp_path / "logs"))
    proc = subprocess.run(
        [sys.executable, "-m", "cs_segments.run", "--raw-dir", str(broken),
         "--raw-format", "csv", "--db", str(tmp_path / "wh.duckdb"),
         "--publish-to", str(tmp_path / "published.duckdb")],
        cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=600,
        check=False)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1, out
    assert "The build failed" in out, out
    assert "table 'subscriptions' is required" in out, out
    assert "Traceback" not in out, out


def test_summary_of_a_partial_build_says_what_is_missing(staged_generated):
    """After a build that stopped after staging, the summary prints what is
    there and says what is not, instead of failing."""
    from cs_segments.summary import summary_text

    assert staged_generated.success, staged_generated.text
    text = summary_text(staged_generated.db_path)
    assert "Segments: not built" in text
    assert "What this data supports: not built." in text
