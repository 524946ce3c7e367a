{#-
    rpt_churn_signal_backtest with every judged as-of date pooled: per
    learning mode, signal, horizon and slice, the confusion counts summed
    over the judged dates (an account counts once per date it was judged)
    and the same metrics. The dates overlap in time (an account flagged for
    eight weeks before its churn is eight true positives), so the intervals
    are narrower than for independent accounts: read them as a lower bound
    of the uncertainty.
-#}
with

{{ churn_backtest_counts(per_as_of_date=false) }},

final as (

    select
        cast(learning_mode as {{ dbt.type_string() }}) as learning_mode,
        cast(signal_type as {{ dbt.type_string() }}) as signal_type,
        cast(signal_key as {{ dbt.type_string() }}) as signal_key,
        cast(horizon_days as integer) as horizon_days,
        cast(slice_type as {{ dbt.type_string() }}) as slice_type,
        cast(slice_value as {{ dbt.type_string() }}) as slice_value,
        cast(judged_dates as integer) as judged_dates,
        cast(judged_accounts as integer) as judged_accounts,
        cast(churned_accounts as integer) as churned_accounts,
        cast(flagged_accounts as integer) as flagged_accounts,
        cast(true_positives as integer) as true_positives,
        {{ backtest_metric_columns() }},
        cast(median_lead_days as decimal(18, 1)) as median_lead_days
    from counted

)

select * from final
