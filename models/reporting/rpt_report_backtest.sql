{#- Report chart "backtest": pooled precision, recall and lift with their
    intervals of the risk segments and the learned flags, both learning
    modes, overall (rpt_churn_signal_backtest_summary). -#}
with

summary as (

    select *
    from {{ ref('rpt_churn_signal_backtest_summary') }}
    where slice_type = 'overall'

),

final as (

    select
        learning_mode,
        signal_type,
        signal_key,
        horizon_days,
        judged_accounts,
        churned_accounts,
        flagged_accounts,
        true_positives,
        precision_rate,
        precision_ci_lower,
        precision_ci_upper,
        recall_rate,
        recall_ci_lower,
        recall_ci_upper,
        lift,
        flagged_per_true_positive,
        median_lead_days
    from summary

)

select * from final
