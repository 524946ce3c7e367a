{#- Clean product users: one row per user_id. -#}
with

base as (

    select * from {{ ref('base_raw__users') }}

),

final as (

    select
        user_id,
        account_id,
        email,
        role,
        created_at,
        deactivated_at
    from base
    where rejection_reason is null

)

select * from final
