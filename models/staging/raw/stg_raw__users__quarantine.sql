{#- Raw users rows rejected by staging, with the reason and raw text. -#}
with

base as (

    select * from {{ ref('base_raw__users') }}

),

final as (

    select
        user_id,
        rejection_reason,
        is_exact_duplicate,
        raw_user_id,
        raw_account_id,
        raw_email,
        raw_role,
        raw_created_at,
        raw_deactivated_at
    from base
    where rejection_reason is not null

)

select * from final
