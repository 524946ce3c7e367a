{#-
    The signals the backtest judges, long: one row per judged account, as-of
    date, learning_mode (in_sample, learned_before: see
    int_churn_backtest_flags) and signal the account carried:
    - signal_type learned_flag: each learned churn flag on its own
      (signal_key = behaviour_key);
    - signal_type segment: behaviour_churn_risk, high_value_at_risk and
      renewal_at_risk, recomputed from those flags with the rules and
      thresholds of int_account_segment_rules_weekly (same vars). In
      in_sample mode they equal the segments as built
      (tests/backtest/assert_in_sample_risk_matches_segments.sql).
-#}
{%- set high_value_tiers = var('segment_high_value_tiers') -%}
with

population as (

    select
        account_id,
        as_of_date,
        value_tier,
        days_to_term_end,
        has_missing_outcomes
    from {{ ref('int_churn_backtest_population') }}

),

flags as (

    select
        account_id,
        as_of_date,
        learning_mode,
        behaviour_key,
        lift
    from {{ ref('int_churn_backtest_flags') }}

),

learning_modes as (

    select 'in_sample' as learning_mode
    union all
    select 'learned_before' as learning_mode

),

scores as (

    select
        account_id,
        as_of_date,
        learning_mode,
        count(*) as churn_flag_count,
        round(sum(coalesce(lift, 0)), 6) as churn_risk_score
    from flags
    group by 1, 2, 3

),

risk as (

    select
        population.account_id,
        population.as_of_date,
        learning_modes.learning_mode,
        population.value_tier,
        population.days_to_term_end,
        population.has_missing_outcomes,
        coalesce(
            scores.churn_flag_count
            >= {{ var('segment_churn_risk_min_flags') }}
            or scores.churn_risk_score
            >= {{ var('segment_churn_risk_min_score') }},
            false
        ) as is_churn_risk
    from population
    cross join learning_modes
    left join scores
        on
            population.account_id = scores.account_id
            and population.as_of_date = scores.as_of_date
            and learning_modes.learning_mode = scores.learning_mode

),

segment_signals as (

    select
        account_id,
        as_of_date,
        learning_mode,
        'segment' as signal_type,
        {{ segment_key('behaviour_churn_risk') }} as signal_key
    from risk
    where is_churn_risk = true
    union all
    select
        account_id,
        as_of_date,
        learning_mode,
        'segment' as signal_type,
        {{ segment_key('high_value_at_risk') }} as signal_key
    from risk
    where
        is_churn_risk = true
        and value_tier in {{ segment_literal_list(high_value_tiers) }}
    union all
    select
        account_id,
        as_of_date,
        learning_mode,
        'segment' as signal_type,
        {{ segment_key('renewal_at_risk') }} as signal_key
    from risk
    where
        days_to_term_end >= 0
        and days_to_term_end
        <= {{ var('segment_renewal_at_risk_window_days') }}
        and (is_churn_risk = true or has_missing_outcomes = true)

),

flag_signals as (

    select
        account_id,
        as_of_date,
        learning_mode,
        'learned_flag' as signal_type,
        behaviour_key as signal_key
    from flags

),

final as (

    select * from segment_signals
    union all
    select * from flag_signals

)

select * from final
