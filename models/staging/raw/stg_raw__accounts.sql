{#- Clean accounts: one row per account_id. -#}
with

base as (

    select * from {{ ref('base_raw__accounts') }}

),

final as (

    select
        account_id,
        account_name,
        industry,
        country,
        employee_count,
        created_at,
        csm_id
    from base
    where rejection_reason is null

)

select * from final
