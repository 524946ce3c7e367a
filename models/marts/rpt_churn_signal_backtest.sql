{#-
    How often the churn signals were right, per weekly as-of date: for each
    learning mode (in_sample: indicators learned from all the history, as
    the segments are built; learned_before: learned only from events before
    the judged date), signal (the risk segments behaviour_churn_risk,
    high_value_at_risk, renewal_at_risk, and each learned flag), horizon
    (30/60/90 days) and slice (overall, value tier, lifecycle stage): the
    judged paying accounts, those that churned within the horizon, those
    flagged, the true positives, and precision, recall, lift over the base
    rate with 95% intervals (macros/backtest.sql). Only as-of dates at
    least the horizon before the current one are judged.
    rpt_churn_signal_backtest_summary pools the dates.
-#}
with

{{ churn_backtest_counts(per_as_of_date=true) }},

final as (

    select
        cast(learning_mode as {{ dbt.type_string() }}) as learning_mode,
        cast(signal_type as {{ dbt.type_string() }}) as signal_type,
        cast(signal_key as {{ dbt.type_string() }}) as signal_key,
        cast(as_of_date as date) as as_of_date,
        cast(horizon_days as integer) as horizon_days,
        cast(slice_type as {{ dbt.type_string() }}) as slice_type,
        cast(slice_value as {{ dbt.type_string() }}) as slice_value,
        cast(judged_accounts as integer) as judged_accounts,
        cast(churned_accounts as integer) as churned_accounts,
        cast(flagged_accounts as integer) as flagged_accounts,
        cast(true_positives as integer) as true_positives,
        {{ backtest_metric_columns() }},
        cast(median_lead_days as decimal(18, 1)) as median_lead_days
    from counted

)

select * from final
