{#- Clean success goals: one row per goal_id. -#}
with

base as (

    select * from {{ ref('base_raw__success_goals') }}

),

final as (

    select
        goal_id,
        account_id,
        metric,
        target_value,
        start_date,
        due_date,
        description
    from base
    where rejection_reason is null

)

select * from final
