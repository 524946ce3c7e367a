{#-
    Learned churn flags, long: one row per account, as-of date and selected
    behaviour (int_churn_indicator_lift.is_selected) that is present on that
    date. Only behaviours the analysis selected from the data appear here;
    with too few churned accounts the model is empty.
-#}
with

candidates as (

    select
        account_id,
        as_of_date,
        is_current,
        behaviour_key,
        metric_value
    from {{ ref('int_account_behaviour_candidates_weekly') }}

),

indicator_lift as (

    select
        behaviour_key,
        lift,
        lift_rank
    from {{ ref('int_churn_indicator_lift') }}
    where is_selected = true

),

final as (

    select
        candidates.account_id,
        candidates.as_of_date,
        candidates.is_current,
        candidates.behaviour_key,
        candidates.metric_value,
        indicator_lift.lift,
        indicator_lift.lift_rank
    from candidates
    inner join indicator_lift
        on candidates.behaviour_key = indicator_lift.behaviour_key

)

select * from final
