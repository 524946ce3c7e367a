"""End-to-end checks of the churn-signal backtest and the weekly segment
changes on the demo warehouse (the shared 300-account build, e2e/conftest.py).

The backtest figures are recomputed here from the staging subscriptions and
the segment history with independent SQL; the segment changes are compared
with fct_segment_transitions.
"""

from __future__ import annotations

from pathlib import Path

from conftest import query

HORIZON = 90


def test_backtest_counts_match_independent_sql(full_db: Path):
    """In-sample behaviour_churn_risk, horizon 90, all judged dates pooled:
    judged accounts (paying on the date), churned within 90 days (paid
    subscriptions end with no paid subscription active that day), flagged
    (an interval of the segment history covers the date) and true positives,
    recomputed from staging and fct_account_segment_history."""
    expected = query(full_db, f"""
        with
        current_as_of as (
            select max(as_of_date) as d from intermediate.int_as_of_dates
        ),
        dates as (
            select as_of_date from intermediate.int_as_of_dates, current_as_of
            where as_of_date <= d - interval {HORIZON} day
        ),
        subs as (
            select account_id, start_date, end_date
            from staging.stg_raw__subscriptions where amount > 0
        ),
        paying as (
            select distinct dates.as_of_date, subs.account_id
            from dates join subs
                on subs.start_date <= dates.as_of_date
                and (subs.end_date is null or subs.end_date > dates.as_of_date)
        ),
        churns as (
            select distinct s.account_id, s.end_date as churn_date
            from subs as s, current_as_of
            where s.end_date is not null and s.end_date <= current_as_of.d
              and not exists (
                select 1 from subs as s2
                where s2.account_id = s.account_id
                  and s2.start_date <= s.end_date
                  and (s2.end_date is null or s2.end_date > s.end_date))
        ),
        judged as (
            select
                p.as_of_date, p.account_id,
                exists (
                    select 1 from churns as c
                    where c.account_id = p.account_id
                      and c.churn_date > p.as_of_date
                      and c.churn_date <= p.as_of_date + interval {HORIZON} day
                ) as churned,
                exists (
                    select 1 from marts.fct_account_segment_history as h
                    where h.account_id = p.account_id
                      and h.segment_key = 'behaviour_churn_risk'
                      and h.valid_from <= p.as_of_date
                      and (h.valid_to is null or h.valid_to > p.as_of_date)
                ) as flagged
            from paying as p
        )
        select
            count(*),
            count(*) filter (where churned),
            count(*) filter (where flagged),
            count(*) filter (where flagged and churned)
        from judged
    """)[0]
    got = query(full_db, f"""
        select judged_accounts, churned_accounts, flagged_accounts,
               true_positives
        from marts.rpt_churn_signal_backtest_summary
        where learning_mode = 'in_sample' and signal_key = 'behaviour_churn_risk'
          and horizon_days = {HORIZON} and slice_type = 'overall'
    """)
    assert got == [tuple(expected)], (got, expected)
    judged, churned, flagged, true_pos = expected
    assert churned > 0 and flagged > 0 and true_pos > 0


def test_weekly_rows_add_up_to_the_summary(full_db: Path):
    rows = query(full_db, """
        select w.learning_mode, w.signal_key, w.horizon_days, w.slice_type,
               w.slice_value, sum(w.judged_accounts), sum(w.true_positives),
               min(s.judged_accounts), min(s.true_positives)
        from marts.rpt_churn_signal_backtest as w
        join marts.rpt_churn_signal_backtest_summary as s using (
            learning_mode, signal_type, signal_key, horizon_days, slice_type,
            slice_value)
        group by 1, 2, 3, 4, 5
        having sum(w.judged_accounts) != min(s.judged_accounts)
            or sum(w.true_positives) != min(s.true_positives)
    """)
    assert not rows, rows[:5]


def test_learned_before_signal_beats_the_base_rate(full_db: Path):
    """Without future leakage the risk segment still finds churners far
    above chance: the lower bound of its lift is above 1. And the in-sample
    figure (indicators learned from all the history) flags more churners
    than the learned-before one, which had nothing to flag until enough
    churns were known: the difference the README explains."""
    rows = dict(((mode, (lift_low, recall))
                 for mode, lift_low, recall in query(full_db, f"""
        select learning_mode, lift_ci_lower, recall_rate
        from marts.rpt_churn_signal_backtest_summary
        where signal_key = 'behaviour_churn_risk' and horizon_days = {HORIZON}
          and slice_type = 'overall'
    """)))
    assert rows["learned_before"][0] > 1, rows
    assert rows["in_sample"][1] > rows["learned_before"][1], rows


def test_planted_churners_are_the_true_positives(full_db: Path,
                                                 generated_raw: Path):
    """Every in-sample true positive of the 90-day horizon is an account
    that churned; most of them are planted churners (the generator's
    churns with a search stop before leaving)."""
    truth = Path(generated_raw) / "_planted_truth" / "planted_accounts.parquet"
    rows = query(full_db, f"""
        select
            count(distinct s.account_id),
            count(distinct s.account_id) filter (
                where t.planted_role = 'churner')
        from intermediate.int_churn_backtest_signals as s
        join intermediate.int_churn_backtest_population as p
            using (account_id, as_of_date)
        left join read_parquet('{truth}') as t
            on lower(trim(t.account_id)) = s.account_id
        where s.learning_mode = 'in_sample'
          and s.signal_key = 'behaviour_churn_risk'
          and p.days_to_churn <= {HORIZON}
    """)[0]
    caught, planted = rows
    assert caught > 0 and planted >= 0.8 * caught, rows


def test_tradeoff_current_setting_equals_backtest(full_db: Path):
    """The trade-off row of the thresholds in use equals the backtest of
    the segment itself, in both learning modes."""
    rows = query(full_db, """
        select t.learning_mode, t.horizon_days, t.flagged_accounts,
               b.flagged_accounts, t.true_positives, b.true_positives
        from marts.rpt_churn_signal_tradeoff as t
        join marts.rpt_churn_signal_backtest_summary as b
            on b.learning_mode = t.learning_mode
            and b.horizon_days = t.horizon_days
            and b.signal_key = 'behaviour_churn_risk'
            and b.slice_type = 'overall'
        where t.is_current_setting
    """)
    assert len(rows) == 6, rows
    for row in rows:
        assert row[2] == row[3] and row[4] == row[5], row


def test_segment_changes_match_transitions(full_db: Path):
    """rpt_segment_changes (from the weekly membership) lists exactly the
    entries and exits fct_segment_transitions has on the current as-of
    date."""
    changes = set(query(full_db, """
        select account_id, segment_key,
               case change_type when 'left' then 'exited' else change_type end
        from marts.rpt_segment_changes
    """))
    transitions = set(query(full_db, """
        select account_id, segment_key, transition_type
        from marts.fct_segment_transitions
        where transition_date = (
            select as_of_date from intermediate.int_as_of_dates
            where is_current)
    """))
    assert changes and changes == transitions
    worklist_new = set(query(full_db, """
        select account_id from marts.rpt_csm_worklist
        where new_segment_keys is not null
    """))
    entered = {(row[0],) for row in changes if row[2] == "entered"}
    assert worklist_new == entered
