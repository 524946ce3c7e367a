{#- Raw success_goals rows rejected by staging, with the reason and raw text. -#}
with

base as (

    select * from {{ ref('base_raw__success_goals') }}

),

final as (

    select
        goal_id,
        rejection_reason,
        is_exact_duplicate,
        raw_goal_id,
        raw_account_id,
        raw_metric,
        raw_target_value,
        raw_start_date,
        raw_due_date,
        raw_description
    from base
    where rejection_reason is not null

)

select * from final
