"""The four dimensions on generated data, checked against the raw files and
the planted truth, never against the models' own logic.

- ARR per account is recomputed here straight from subscriptions.parquet and
  the currency seed, and must match the value dimension to the cent.
- The learned churn indicators must put the planted one (search stops before
  churn) at the top, and say so when there are too few churned accounts.
- Planted outcome-missers must come out as not achieving their outcomes.
"""

from __future__ import annotations

import csv
from datetime import date, timedelta
from pathlib import Path

import pytest

from conftest import REPO_ROOT, generate_demo, query, run_dbt

DEMO_AS_OF = date(2026, 6, 30)  # cs_segments.generate default --as-of


def _rates() -> dict[str, float]:
    with open(REPO_ROOT / "seeds" / "currency_rates.csv", newline="") as f:
        return {row["currency"]: float(row["usd_per_unit"])
                for row in csv.DictReader(f)}


def _planted(raw: Path) -> str:
    path = raw / "_planted_truth" / "planted_accounts.parquet"
    return (f"(select lower(trim(account_id)) as account_id, planted_role "
            f"from read_parquet('{path}'))")


def test_arr_matches_raw_subscriptions(full_db, generated_raw):
    """ARR on the as-of date = sum over subscriptions active that day
    (start <= as-of < end, end exclusive, empty end = open) of the charge per
    interval x 12 for monthly or x 1 for yearly billing, in USD."""
    import duckdb

    rates = _rates()
    subs = duckdb.sql(f"""
        select lower(trim(account_id)), billing_interval, amount, currency,
               start_date, end_date
        from read_parquet('{generated_raw / "subscriptions.parquet"}')
    """).fetchall()
    expected: dict[str, float] = {}
    for account_id, interval, amount, currency, start, end in subs:
        if start <= DEMO_AS_OF and (end is None or end > DEMO_AS_OF):
            per_year = 12 if interval == "month" else 1
            expected[account_id] = (expected.get(account_id, 0.0)
                                    + float(amount) * per_year
                                    * rates[currency])
    modelled = dict(query(full_db, """
        select account_id, arr_usd
        from intermediate.int_account_value_weekly
        where is_current
    """))
    accounts = query(full_db, "select count(*) from staging.stg_raw__accounts")
    assert len(modelled) == accounts[0][0]
    assert len(expected) > 100, "the demo data should have paying accounts"
    mismatches = {
        account_id: (expected.get(account_id, 0.0), float(arr))
        for account_id, arr in modelled.items()
        if abs(expected.get(account_id, 0.0) - float(arr)) > 0.01
    }
    assert not mismatches, f"{len(mismatches)} accounts differ: " \
        f"{sorted(mismatches.items())[:5]}"
    # and the mart carries the same figure
    mart = dict(query(full_db, "select account_id, arr_usd "
                               "from marts.dim_accounts"))
    assert all(abs(float(mart[a]) - float(v)) < 0.01
               for a, v in modelled.items())


def test_planted_indicator_ranks_first(full_db):
    rows = query(full_db, """
        select behaviour_key, lift_rank, is_selected, analysis_status,
               n_churned_accounts
        from intermediate.int_churn_indicator_lift
        order by lift_rank
    """)
    by_key = {row[0]: row for row in rows}
    assert rows[0][3] == "ok", rows[0]
    assert rows[0][4] >= 30
    # search stopping is what the generator planted; nothing in the SQL
    # names it, so finding it first means the analysis learned it.
    assert by_key["stopped_search"][1] <= 2, rows[:5]
    assert by_key["stopped_search"][2] is True
    # the threshold keeps the analysis selective
    selected = [row[0] for row in rows if row[2]]
    assert 0 < len(selected) < len(rows)


def test_too_few_churned_accounts_selects_nothing(tmp_path):
    """With a handful of accounts the analysis reports that it cannot learn
    anything instead of inventing indicators."""
    raw = generate_demo(tmp_path / "raw", accounts=60, seed=11)
    run = run_dbt(["build", "--select", "+int_churn_indicator_lift",
                   "--exclude", "test_type:data"],
                  workdir=tmp_path / "dbt", raw_dir=raw)
    assert run.success, run.text
    rows = query(run.db_path, """
        select analysis_status, is_selected, n_churned_accounts
        from intermediate.int_churn_indicator_lift
    """)
    assert rows, "one row per candidate behaviour is still expected"
    assert all(row[0] == "insufficient_churned_accounts" for row in rows)
    assert not any(row[1] for row in rows)
    assert rows[0][2] < 30


def test_outcome_missers_are_not_achieving(full_db, generated_raw):
    """Every planted outcome-misser whose goals still count is flagged
    not_achieving; one whose goals are all older than the lookback has
    no_goals, which is checked against the raw goals."""
    lookback = 365  # var outcome_goal_lookback_days
    planted = _planted(generated_raw)
    goals = generated_raw / "success_goals.parquet"
    rows = query(full_db, f"""
        select
            p.account_id,
            o.outcome_status,
            (select max(cast(g.due_date as date))
             from read_parquet('{goals}') as g
             where lower(trim(g.account_id)) = p.account_id) as last_due
        from {planted} as p
        inner join intermediate.int_account_outcomes_weekly as o
            on p.account_id = o.account_id and o.is_current
        where p.planted_role = 'outcome_misser'
    """)
    assert len(rows) >= 10, "the demo data should plant outcome missers"
    wrong = []
    for account_id, status, last_due in rows:
        if status == "not_achieving":
            continue
        stale = (last_due is not None
                 and last_due < DEMO_AS_OF - timedelta(days=lookback))
        if not (status == "no_goals" and stale):
            wrong.append((account_id, status, last_due))
    assert not wrong, f"outcome missers not flagged: {wrong}"
    not_achieving = sum(1 for row in rows if row[1] == "not_achieving")
    assert not_achieving >= 0.9 * len(rows)


def test_missers_have_healthy_usage(full_db, generated_raw):
    """The case the outcome dimension exists for: the planted missers use
    the product well (the usage rules would not flag them)."""
    planted = _planted(generated_raw)
    rows = query(full_db, f"""
        select avg(b.seat_utilisation_30d), avg(b.key_features_adopted_30d)
        from {planted} as p
        inner join intermediate.int_account_behaviour_weekly as b
            on p.account_id = b.account_id and b.is_current
        where p.planted_role = 'outcome_misser'
    """)
    utilisation, features = rows[0]
    assert utilisation >= 0.6 and features >= 3, rows


@pytest.mark.parametrize("table", ["int_account_lifecycle_weekly"])
def test_one_lifecycle_stage_per_account_and_date(full_db, table):
    rows = query(full_db, f"""
        select count(*) from (
            select account_id, as_of_date from intermediate.{table}
            group by 1, 2 having count(*) > 1 or max(lifecycle_stage) is null
        ) as bad
    """)
    assert rows[0][0] == 0
