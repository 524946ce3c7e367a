{#- Raw accounts rows rejected by staging, with the reason and raw text. -#}
with

base as (

    select * from {{ ref('base_raw__accounts') }}

),

final as (

    select
        account_id,
        rejection_reason,
        is_exact_duplicate,
        raw_account_id,
        raw_account_name,
        raw_industry,
        raw_country,
        raw_employee_count,
        raw_created_at,
        raw_csm_id
    from base
    where rejection_reason is not null

)

select * from final
