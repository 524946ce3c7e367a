{#- Report chart "churn indicators": the candidate behaviours with their
    lift and 95% interval (int_churn_indicator_lift), the 12 best ranked. -#}
with

indicator_lift as (

    select
        behaviour_key,
        lift_rank,
        lift,
        lift_ci_lower,
        lift_ci_upper,
        churned_with,
        n_with,
        is_selected
    from {{ ref('int_churn_indicator_lift') }}

),

final as (

    select *
    from indicator_lift
    where lift_rank <= 12 and lift is not null

)

select * from final
