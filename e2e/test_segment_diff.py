"""The segment diff (cs_segments/diff.py) on the shared 300-account demo data.

A copy of the project is committed as `main` in its own git repository;
each test changes its working tree, runs `python -m cs_segments.diff --base
main` (in-process `main()`, dbt as subprocesses) and checks the report
against queries written independently of the segment models, on the base
warehouse. The base is built once (the diff's cache) and shared by every
test; each head build rebuilds only what the change touches.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import REPO_ROOT, query
from project_copy import apply_patch, copy_project, git
from test_add_segment_example import KEY as EXAMPLE_KEY
from test_add_segment_example import PATCH as EXAMPLE_PATCH
from test_add_segment_example import expected_members
from cs_segments.diff import main as diff_main

UTILISATION_VAR = "segment_ready_to_expand_min_seat_utilisation"


@pytest.fixture(scope="module")
def diff_env(generated_raw, tmp_path_factory):
    """(project copy committed as main, cache folder, raw data)."""
    work = tmp_path_factory.mktemp("segment_diff")
    project = copy_project(REPO_ROOT, work / "project")
    return project, work / "cache", generated_raw


@pytest.fixture
def project(diff_env):
    """The project copy; its working tree is reset after the test."""
    repo = diff_env[0]
    yield repo
    git(repo, "checkout", "--", ".")
    git(repo, "clean", "-fdq")


def run_diff(diff_env, out: Path, *extra: str) -> tuple[int, dict, str]:
    """(exit status, diff.json, report.md) of a diff against main."""
    repo, cache, raw = diff_env
    status = diff_main(["--base", "main", "--project-dir", str(repo),
                        "--raw-dir", str(raw), "--cache-dir", str(cache),
                        "--out-dir", str(out), *extra])
    report = json.loads((out / "diff.json").read_text())
    return status, report, (out / "report.md").read_text()


def base_db(diff_env) -> Path:
    """The cached base warehouse (one base: one cache entry)."""
    found = list(diff_env[1].glob("*/db/*.duckdb"))
    assert len(found) == 1, found
    return found[0]


def set_var(repo: Path, line_before: str, line_after: str) -> None:
    path = repo / "dbt_project.yml"
    text = path.read_text()
    assert text.count(line_before) == 1, line_before
    path.write_text(text.replace(line_before, line_after))


def segments_by_key(report: dict) -> dict[str, dict]:
    return {row["segment_key"]: row for row in report["diff"]["segments"]}


def test_no_change_reports_no_difference(diff_env, project, tmp_path):
    status, report, markdown = run_diff(diff_env, tmp_path,
                                        "--fail-above-arr-share", "0")
    assert status == 0
    diff = report["diff"]
    assert diff["accounts_changed"] == 0 and diff["accounts"] == []
    assert diff["arr_changed_share"] == 0
    assert all(row["status"] == "unchanged" for row in diff["segments"])
    assert len(diff["segments"]) > 20
    assert all(row["tier_before"] == row["tier_after"]
               for row in diff["tier_moves"])
    assert report["causes"] == {"vars": [], "state_modified": [],
                                "var_readers": []}
    assert report["head"]["rebuilt"] == []
    assert "No difference" in markdown


def test_lower_expansion_threshold(diff_env, project, tmp_path):
    """0.9 -> 0.8: exactly the accounts with 30-day seat utilisation in
    [0.8, 0.9) meeting the other conditions enter ready_to_expand (the
    long-tail ones also long_tail_ready_to_expand); nothing else moves."""
    set_var(project, f"{UTILISATION_VAR}: 0.9\n", f"{UTILISATION_VAR}: 0.8\n")
    status, report, markdown = run_diff(diff_env, tmp_path,
                                        "--fail-above-arr-share", "0.001")
    # Independent: distinct users with a usage event in the 30 days ending
    # on the as-of date / licensed seats, from staging and dim_accounts;
    # not churned; not in behaviour_churn_risk; the blocking outcome
    # statuses are empty by default.
    rows = query(base_db(diff_env), """
        with as_of as (
            select max(as_of_date) as as_of_date from marts.dim_accounts
        ),
        active as (
            select events.account_id, count(distinct events.user_id) as users
            from staging.stg_raw__usage_events as events, as_of
            where
                events.user_id is not null
                and cast(events.occurred_at as date)
                between as_of.as_of_date - 29 and as_of.as_of_date
            group by 1
        ),
        utilisation as (
            select
                accounts.account_id,
                accounts.value_tier,
                accounts.arr_usd,
                accounts.lifecycle_stage,
                coalesce(active.users, 0) / accounts.licensed_seats
                    as seat_utilisation
            from marts.dim_accounts as accounts
            left join active on accounts.account_id = active.account_id
            where accounts.licensed_seats > 0
        )
        select account_id, value_tier, arr_usd
        from utilisation
        where
            seat_utilisation >= 0.8 and seat_utilisation < 0.9
            and lifecycle_stage != 'churned'
            and account_id not in (
                select account_id from marts.fct_account_segments
                where segment_key = 'behaviour_churn_risk'
            )
    """)
    expected = {row[0]: float(row[2]) for row in rows}
    long_tail = {row[0] for row in rows if row[1] == "long_tail"}
    assert expected, "the demo data should have accounts in [0.8, 0.9)"
    assert long_tail, "and some of them long tail"

    segments = segments_by_key(report)
    ready = segments["ready_to_expand"]
    assert ready["entering"] == len(expected) and ready["leaving"] == 0
    assert ready["accounts_after"] == ready["accounts_before"] + len(expected)
    assert ready["arr_entering"] == pytest.approx(sum(expected.values()),
                                                  abs=0.01)
    lt_ready = segments["long_tail_ready_to_expand"]
    assert lt_ready["entering"] == len(long_tail)
    assert lt_ready["leaving"] == 0
    assert lt_ready["arr_entering"] == pytest.approx(
        sum(expected[account] for account in long_tail), abs=0.01)
    changed = {key for key, row in segments.items()
               if row["status"] != "unchanged"}
    assert changed == {"ready_to_expand", "long_tail_ready_to_expand"}

    accounts = {row["account_id"]: row for row in report["diff"]["accounts"]}
    assert set(accounts) == set(expected)
    for account_id, row in accounts.items():
        entered = {"ready_to_expand"} | (
            {"long_tail_ready_to_expand"} if account_id in long_tail
            else set())
        assert set(row["entered"]) == entered and row["left"] == []
    # the cause: the var, the rule model that reads it, and the
    # as-published log, whose rules fingerprint reads every rule var
    assert [change["var"] for change in report["causes"]["vars"]] == [
        UTILISATION_VAR]
    assert report["causes"]["state_modified"] == []
    assert report["causes"]["var_readers"] == [
        "model.cs_segments.fct_segment_membership_published",
        "model.cs_segments.int_account_segment_rules_weekly"]
    # ARR share over 0.1%: the CI option fails
    assert report["diff"]["arr_changed_share"] > 0.001
    assert status == 1
    assert f"`{UTILISATION_VAR}` changed: `0.9` -> `0.8`" in markdown
    assert (tmp_path / "accounts.csv").read_text().count("\n") == \
        len(expected) + 1


def test_new_catalog_segment_enters_with_all_members(diff_env, project,
                                                     tmp_path):
    """The worked example (a new composite segment) as a pull request: a
    new segment whose members all enter, nothing else changes."""
    apply_patch(project, EXAMPLE_PATCH)
    status, report, markdown = run_diff(diff_env, tmp_path)
    assert status == 0
    expected = expected_members(base_db(diff_env))
    assert expected
    segments = segments_by_key(report)
    new = segments[EXAMPLE_KEY]
    assert new["status"] == "new"
    assert (new["accounts_before"], new["leaving"]) == (0, 0)
    assert new["accounts_after"] == new["entering"] == len(expected)
    assert new["arr_entering"] == pytest.approx(sum(expected.values()),
                                                abs=0.01)
    assert [key for key, row in segments.items()
            if row["status"] != "unchanged"] == [EXAMPLE_KEY]
    assert {row["account_id"] for row in report["diff"]["accounts"]} == \
        set(expected)
    assert all(row["entered"] == [EXAMPLE_KEY] and row["left"] == []
               for row in report["diff"]["accounts"])
    causes = report["causes"]
    assert "model.cs_segments.int_account_segment_rules_weekly" in \
        causes["state_modified"]
    catalog = [change for change in causes["vars"]
               if change["var"] == "segment_catalog"]
    assert [(entry["key"], entry["change"])
            for entry in catalog[0]["entries"]] == [(EXAMPLE_KEY, "added")]
    assert f"| `{EXAMPLE_KEY}` | new |" in markdown


def test_tier_percentile_moves_the_pyramid(diff_env, project, tmp_path):
    """Strategic from the 95th to the 90th ARR percentile: the enterprise
    accounts at or above the 90th percentile move up, nothing else."""
    set_var(project,
            "value_tier_percentiles: {strategic: 0.95, enterprise: 0.80, "
            "growth: 0.50}\n",
            "value_tier_percentiles: {strategic: 0.90, enterprise: 0.80, "
            "growth: 0.50}\n")
    status, report, markdown = run_diff(diff_env, tmp_path)
    assert status == 0
    db = base_db(diff_env)
    # Independent: percent rank of ARR among paying accounts (README, value
    # tiers) recomputed from dim_accounts of the base.
    moving = {row[0]: float(row[1]) for row in query(db, """
        select account_id, arr_usd
        from (
            select
                account_id,
                value_tier,
                arr_usd,
                percent_rank() over (order by arr_usd) as arr_rank
            from marts.dim_accounts
            where arr_usd > 0
        ) as ranked
        where value_tier = 'enterprise' and arr_rank >= 0.90
    """)}
    assert moving, "some enterprise accounts rank at or above 0.90"
    tiers = {row[0]: (row[1], float(row[2])) for row in query(db, """
        select value_tier, count(*), sum(arr_usd)
        from marts.dim_accounts group by 1
    """)}
    expected = {}
    for tier, (accounts, arr) in tiers.items():
        if tier == "enterprise":
            accounts -= len(moving)
            arr -= sum(moving.values())
        expected[(tier, tier)] = (accounts, arr)
    expected[("enterprise", "strategic")] = (len(moving),
                                             sum(moving.values()))
    actual = {(row["tier_before"], row["tier_after"]):
              (row["accounts"], row["arr_usd"])
              for row in report["diff"]["tier_moves"]}
    assert set(actual) == set(expected)
    for cell, (accounts, arr) in expected.items():
        assert actual[cell][0] == accounts, cell
        assert actual[cell][1] == pytest.approx(arr, abs=0.01), cell
    segments = segments_by_key(report)
    assert segments["value_strategic"]["entering"] == len(moving)
    assert segments["value_enterprise"]["leaving"] == len(moving)
    assert "Static pyramid: tier moves" in markdown
    assert f"**{len(moving)} (" in markdown


def test_unknown_base_ref_is_one_message(diff_env, project, tmp_path,
                                         capsys):
    repo, cache, raw = diff_env
    status = diff_main(["--base", "no-such-branch", "--project-dir",
                        str(repo), "--raw-dir", str(raw), "--cache-dir",
                        str(cache), "--out-dir", str(tmp_path)])
    assert status == 2
    err = capsys.readouterr().err
    assert "no-such-branch" in err and "Traceback" not in err
