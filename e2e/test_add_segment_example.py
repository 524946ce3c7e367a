"""The worked example of README "How to add a segment", built and checked.

examples/add_segment_high_value_underused.patch is the whole pull request
for a new segment: a catalog entry with its threshold var, one rule column
and its unit test. It is applied to a copy of the project, built on a copy
of the shared demo warehouse as the next scheduled run would (the rule
model and everything downstream, with every data and unit test, no full
refresh: the incremental rules add the column and recompute every date),
and the members of the new segment are
compared with a query written from the staging tables, independently of the
segment models. Two broken variants show that
tests/segments/assert_rule_columns_match_catalog.sql fails when the catalog
and the rule columns disagree.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from conftest import REPO_ROOT, query
from project_copy import apply_patch, copy_project
from cs_segments.diff import DB_NAME, run_dbt

PATCH = REPO_ROOT / "examples" / "add_segment_high_value_underused.patch"
KEY = "high_value_underused"
# From the patch: top tiers (var segment_high_value_tiers default) and the
# new threshold var's default.
TOP_TIERS = ("strategic", "enterprise")
MAX_UTILISATION = 0.5


def _build(project: Path, warehouse: Path, raw: Path, work: Path,
           select: list[str], *extra: str):
    """dbt build of `select` in `project` on a copy of `warehouse`."""
    db_path = work / "db" / DB_NAME
    db_path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(warehouse, db_path)
    done = run_dbt(["build", "--select", *select, *extra], project_dir=project,
                   db_path=db_path, raw_dir=raw, raw_format="parquet",
                   work_dir=work)
    return done, db_path


@pytest.fixture(scope="module")
def example_build(full_db, generated_raw, tmp_path_factory):
    work = tmp_path_factory.mktemp("example_segment")
    project = copy_project(REPO_ROOT, work / "project")
    apply_patch(project, PATCH)
    done, db_path = _build(
        project, full_db, generated_raw, work / "build",
        # dim_segments reads only the catalog var: not a child of the rules
        ["int_account_segment_rules_weekly+", "dim_segments+"])
    assert done.returncode == 0, done.stdout[-4000:]
    return done, db_path


def test_every_past_week_has_the_new_rule(example_build):
    """The run after the change is incremental: the rules gained the
    column (on_schema_change sync_all_columns) and every as-of date was
    recomputed (the code and catalog are in each date's fingerprint), so no
    stored date keeps a null rule."""
    _, db_path = example_build
    (dates, unset), = query(db_path, f"""
        select count(distinct as_of_date),
            count(distinct case when is_{KEY} is null then as_of_date end)
        from intermediate.int_account_segment_rules_weekly
    """)
    assert dates > 50 and unset == 0, (dates, unset)


def expected_members(db_path: Path) -> dict[str, float]:
    """{account_id: arr_usd} of the accounts the new rule should select,
    from staging usage events and dim_accounts: distinct users active in
    the 30 days ending on the as-of date / licensed seats below 0.5, value
    tier in the top tiers, not churned."""
    tiers = ", ".join(f"'{tier}'" for tier in TOP_TIERS)
    rows = query(db_path, f"""
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
        )
        select accounts.account_id, accounts.arr_usd
        from marts.dim_accounts as accounts
        left join active on accounts.account_id = active.account_id
        where
            accounts.value_tier in ({tiers})
            and accounts.licensed_seats > 0
            and coalesce(active.users, 0) / accounts.licensed_seats
            < {MAX_UTILISATION}
            and accounts.lifecycle_stage != 'churned'
    """)
    return {account_id: float(arr) for account_id, arr in rows}


def test_example_builds_with_its_tests(example_build):
    done, _ = example_build
    # the new unit test and the catalog checks ran and passed
    assert "segment_rules_high_value_underused" in done.stdout
    assert "assert_rule_columns_match_catalog" in done.stdout
    assert "assert_catalog_segments_produced" in done.stdout


def test_example_members_match_independent_query(example_build):
    _, db_path = example_build
    expected = expected_members(db_path)
    assert expected, "the demo data should have underused top-tier accounts"
    members = query(db_path, f"""
        select account_id, evidence from marts.fct_account_segments
        where segment_key = '{KEY}'
    """)
    assert {row[0] for row in members} == set(expected)
    # evidence: the catalog entry's columns, in order, arr and utilisation
    # with 2 decimals
    pattern = re.compile(
        r"^value_tier=(strategic|enterprise); arr_usd=\d+\.\d\d; "
        r"seat_utilisation_30d=0\.\d\d; licensed_seats=\d+$")
    assert all(pattern.match(evidence) for _, evidence in members), members
    catalog = query(db_path, f"""
        select dimension, priority from marts.dim_segments
        where segment_key = '{KEY}'
    """)
    assert catalog == [("composite", 8)]
    flagged = query(db_path, f"""
        select account_id from marts.account_segment_matrix where {KEY}
    """)
    assert {row[0] for row in flagged} == set(expected)


def _remove_catalog_entry(project: Path) -> None:
    """Drop the example's catalog entry (its rule column stays)."""
    path = project / "dbt_project.yml"
    text = path.read_text()
    start = text.index(f"    - key: {KEY}\n")
    end = text.index("\n", text.index("      evidence:", start)) + 1
    path.write_text(text[:start] + text[end:])


@pytest.mark.parametrize("variant, problem", [
    ("rule_without_key", "rule column without catalog key"),
    ("key_without_rule", "catalog key without rule column"),
])
def test_catalog_and_rule_columns_must_agree(variant, problem, full_db,
                                             generated_raw, tmp_path):
    project = copy_project(REPO_ROOT, tmp_path / "project", commit=False)
    if variant == "rule_without_key":
        apply_patch(project, PATCH)
        _remove_catalog_entry(project)
    else:
        apply_patch(project, PATCH, "--include=dbt_project.yml")
    done, db_path = _build(project, full_db, generated_raw,
                           tmp_path / "build",
                           ["int_account_segment_rules_weekly",
                            "assert_rule_columns_match_catalog"],
                           "--exclude-resource-type", "unit_test",
                           "--store-failures")
    assert done.returncode != 0, done.stdout[-3000:]
    rows = query(db_path, """
        select problem, column_name
        from dbt_test__audit.assert_rule_columns_match_catalog
    """)
    assert rows == [(problem, f"is_{KEY}")]
