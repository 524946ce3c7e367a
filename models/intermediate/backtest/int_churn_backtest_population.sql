{#-
    Who the churn-signal backtest judges: one row per account and weekly
    as-of date on which the account pays (arr_usd > 0, so it can churn in the
    sense of int_churn_renewal_events) and is not churned, for the as-of
    dates at least the shortest backtest horizon before the current one.
    With the dimensions a result is sliced by (value tier, lifecycle stage),
    the inputs of the renewal_at_risk rule, and the days from the as-of date
    to the account's next churn (null when it has not churned since).
-#}
{%- set min_horizon = var('backtest_horizons_days') | min -%}
with

segment_rules as (

    select
        account_id,
        as_of_date,
        value_tier,
        lifecycle_stage,
        days_to_term_end,
        has_missing_outcomes
    from {{ ref('int_account_segment_rules_weekly') }}
    where arr_usd > 0 and has_churned = false

),

churn_events as (

    select
        account_id,
        event_date
    from {{ ref('int_churn_renewal_events') }}
    where is_churn = true

),

current_as_of as (

    select max(as_of_date) as current_as_of_date
    from {{ ref('int_as_of_dates') }}

),

judged as (

    select segment_rules.*
    from segment_rules
    cross join current_as_of
    where
        segment_rules.as_of_date
        <= {{ behaviour_days_before(
            'current_as_of.current_as_of_date', min_horizon) }}

),

final as (

    -- Each judged row with the earliest churn after it, in one pass: with
    -- the judged rows read twice (a join back to a grouped copy), DuckDB
    -- ran out of memory here at 100,000 accounts under its 3GB cap.
    select
        judged.account_id,
        judged.as_of_date,
        judged.value_tier,
        judged.lifecycle_stage,
        judged.days_to_term_end,
        judged.has_missing_outcomes,
        min(churn_events.event_date) as next_churn_date,
        cast(
            min({{ dbt.datediff(
                'judged.as_of_date', 'churn_events.event_date', 'day') }})
            as integer
        ) as days_to_churn
    from judged
    left join churn_events
        on
            judged.account_id = churn_events.account_id
            and judged.as_of_date < churn_events.event_date
    group by 1, 2, 3, 4, 5, 6

)

select * from final
