"""End-to-end checks of the segment marts on generated demo data.

The generator plants accounts with a known fate (e2e/conftest.py fixture
`generated_raw`; truth in <raw>/_planted_truth/planted_accounts.parquet, which
no dbt model reads): churners, future churners, outcome missers and expanders.
These tests build the whole project up to the marts and check that the planted
accounts land in the segments they should, that the segment tests pass, and
that an incremental weekly run gives the same membership as a full refresh.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from conftest import query, run_dbt

# Everything the marts need (for the incremental runs).
MARTS_SELECTION = ["--select", "+models/marts", "+models/intermediate/segments"]
RISK_SEGMENTS = ("behaviour_churn_risk", "high_value_at_risk", "renewal_at_risk")
# A planted churner must be in a risk segment at some point of the last
# CHURN_LEAD_DAYS days before its churn date.
CHURN_LEAD_DAYS = 90
# The generator stops a churner's search 30-90 days before the churn (notes
# 'search stopped N days before churn'). A "stopped" flag needs 30 days
# without the feature and segments are computed weekly, so a stop less than
# 30 + 7 days before the churn cannot show before it: those are not counted.
MIN_DETECTABLE_LEAD_DAYS = 37
DEMO_AS_OF = date(2026, 6, 30)  # cs_segments.generate default --as-of


@pytest.fixture(scope="session")
def segments_built(full_build):
    """The whole project built with every test (e2e/conftest.py)."""
    return full_build


@pytest.fixture(scope="session")
def segments_db(full_db) -> Path:
    return full_db


@pytest.fixture(scope="session")
def planted(generated_raw) -> str:
    """SQL relation of the planted truth, account ids as in staging."""
    path = Path(generated_raw) / "_planted_truth" / "planted_accounts.parquet"
    assert path.exists(), f"no planted truth at {path}"
    return (
        "(select lower(trim(account_id)) as account_id, planted_role, "
        "churn_date, cast(regexp_extract(notes, "
        "'search stopped ([0-9]+) days before churn', 1) as integer) "
        f"as planted_lead_days from read_parquet('{path}'))"
    )


def _planted_ids(db: Path, planted: str, role: str) -> set[str]:
    rows = query(db, f"select account_id from {planted} as p "
                     f"where planted_role = '{role}'")
    return {row[0] for row in rows}


def _members(db: Path, segment_key: str) -> set[str]:
    rows = query(db, "select account_id from marts.fct_account_segments "
                     f"where segment_key = '{segment_key}'")
    return {row[0] for row in rows}


def test_marts_build(segments_built):
    assert segments_built.success, segments_built.text


def test_future_churners_are_in_churn_risk(segments_db, planted):
    future = _planted_ids(segments_db, planted, "future_churner")
    assert future, "the demo data should plant future churners"
    missing = future - _members(segments_db, "behaviour_churn_risk")
    assert not missing, f"future churners not in behaviour_churn_risk: {missing}"


# A stop shows in the data only after use: the churner searched at least
# once in the 30 days before its planted stop. The generator can plant a
# stop in a stretch without search (a000267 of the 300-account data,
# reactivated 30 days before its stop, never searched again); the build
# cannot see that stop, and whether such a churner is caught otherwise
# depends on which other indicators a small sample selects.
SEARCHED_BEFORE_STOP = """
    exists (
        select 1
        from staging.stg_raw__usage_events as u
        where
            u.account_id = p.account_id
            and u.event_name = 'search'
            and cast(u.occurred_at as date)
            between p.churn_date - (p.planted_lead_days + 30)
            and p.churn_date - p.planted_lead_days
    )
"""


def test_churners_were_in_a_risk_segment_before_churning(segments_db, planted):
    risk = ", ".join(f"'{key}'" for key in RISK_SEGMENTS)
    unseen = query(segments_db, f"""
        select count(*) from {planted} as p
        where
            p.planted_role = 'churner'
            and p.planted_lead_days >= {MIN_DETECTABLE_LEAD_DAYS}
            and not {SEARCHED_BEFORE_STOP}
    """)[0][0]
    rows = query(segments_db, f"""
        select p.account_id
        from {planted} as p
        where
            p.planted_role = 'churner'
            and p.planted_lead_days >= {MIN_DETECTABLE_LEAD_DAYS}
            and {SEARCHED_BEFORE_STOP}
            -- churns at least CHURN_LEAD_DAYS after the history starts
            and p.churn_date >= (
                select min(as_of_date) + interval {CHURN_LEAD_DAYS} day
                from intermediate.int_as_of_dates
            )
            and not exists (
                select 1
                from marts.fct_account_segment_history as h
                where
                    h.account_id = p.account_id
                    and h.segment_key in ({risk})
                    and h.valid_from < p.churn_date
                    and coalesce(h.valid_to, date '9999-12-31')
                    > p.churn_date - interval {CHURN_LEAD_DAYS} day
            )
    """)
    churners = _planted_ids(segments_db, planted, "churner")
    detectable = query(segments_db, f"""
        select count(*) from {planted} as p
        where
            p.planted_role = 'churner'
            and p.planted_lead_days >= {MIN_DETECTABLE_LEAD_DAYS}
            and {SEARCHED_BEFORE_STOP}
    """)[0][0]
    assert detectable >= len(churners) / 2, (
        f"only {detectable} of {len(churners)} planted churners detectable")
    assert unseen <= len(churners) / 10, (
        f"{unseen} of {len(churners)} planted stops have no search before "
        "them: the generator no longer plants what this test checks")
    missed = sorted(row[0] for row in rows)
    assert not missed, (
        f"{len(missed)} of {len(churners)} planted churners were in no risk "
        f"segment in the {CHURN_LEAD_DAYS} days before churning: {missed}")


def test_outcome_missers_are_healthy_usage_missing_outcomes(segments_db,
                                                            planted):
    missers = _planted_ids(segments_db, planted, "outcome_misser")
    assert missers, "the demo data should plant outcome missers"
    missing = missers - _members(segments_db, "healthy_usage_missing_outcomes")
    assert not missing, (
        f"outcome missers not in healthy_usage_missing_outcomes: {missing}")


def test_expanders_are_ready_to_expand(segments_db, planted):
    expanders = _planted_ids(segments_db, planted, "expander")
    assert expanders, "the demo data should plant expanders"
    ready = _members(segments_db, "ready_to_expand")
    assert not expanders - ready, (
        f"expanders not in ready_to_expand: {expanders - ready}")
    # and no planted risk account is offered an expansion
    risky = set()
    for role in ("churner", "future_churner", "outcome_misser"):
        risky |= _planted_ids(segments_db, planted, role)
    assert not ready & risky, f"risk accounts in ready_to_expand: {ready & risky}"


def test_long_tail_expanders_are_visible(segments_db):
    """The dynamic model shows long-tail accounts ready to expand, which the
    pyramid alone hides; the report says the same as the long table."""
    report = query(segments_db, """
        select segment_accounts from marts.rpt_static_vs_dynamic
        where value_tier = 'long_tail' and segment_key = 'ready_to_expand'
    """)
    long_tail_ready = _members(segments_db, "long_tail_ready_to_expand")
    assert report and report[0][0] == len(long_tail_ready)


def test_every_account_has_one_tier_and_one_stage(segments_db):
    rows = query(segments_db, """
        select
            count(*),
            count(distinct account_id),
            sum(case when value_tier is null then 1 else 0 end),
            sum(case when lifecycle_stage is null then 1 else 0 end)
        from marts.dim_accounts
    """)
    total, distinct, no_tier, no_stage = rows[0]
    raw_accounts = query(segments_db,
                         "select count(*) from staging.stg_raw__accounts")[0][0]
    assert total == distinct == raw_accounts
    assert no_tier == 0 and no_stage == 0


def test_summary_prints_pyramid(segments_db, capsys):
    from cs_segments.summary import print_summary

    print_summary(segments_db)
    out = capsys.readouterr().out
    assert "Static pyramid" in out and "long_tail" in out
    assert "Largest dynamic segments" in out


def test_incremental_week_equals_full_refresh(generated_raw, full_db,
                                             tmp_path):
    """Build as of the week before (var as_of_date), then run as of the
    newest week on the same warehouse: the weekly membership table equals
    the from-scratch build as of the newest week, evidence included (the
    table is rebuilt on every run, so the learned lifts of past weeks are
    restated too; e2e/test_schedule.py covers every table and schedule)."""
    previous = (DEMO_AS_OF - timedelta(days=7)).isoformat()
    current = DEMO_AS_OF.isoformat()
    incremental_dir = tmp_path / "incremental"
    seeded = run_dbt(["seed"], workdir=incremental_dir, raw_dir=generated_raw)
    assert seeded.success, seeded.text
    for as_of in (previous, current):
        step = run_dbt(["run", *MARTS_SELECTION], workdir=incremental_dir,
                       raw_dir=generated_raw,
                       dbt_vars=f"{{as_of_date: '{as_of}'}}")
        assert step.success, step.text
    membership_sql = """
        select
            account_id,
            as_of_date,
            segment_key,
            dimension,
            evidence
        from intermediate.int_account_segment_membership_weekly
    """
    incremental = set(query(step.db_path, membership_sql))

    # The full build (e2e/conftest.py) is a from-scratch build as of the
    # newest week, the default as-of date of the demo data.
    refreshed = set(query(full_db, membership_sql))

    only_incremental = incremental - refreshed
    only_full = refreshed - incremental
    assert not only_incremental and not only_full, (
        f"{len(only_incremental)} rows only in the incremental build, "
        f"{len(only_full)} only in the full refresh; e.g. "
        f"{sorted(only_incremental)[:3]} / {sorted(only_full)[:3]}")
