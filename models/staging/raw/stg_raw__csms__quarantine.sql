{#- Raw csms rows rejected by staging, with the reason and raw text. -#}
with

base as (

    select * from {{ ref('base_raw__csms') }}

),

final as (

    select
        csm_id,
        rejection_reason,
        is_exact_duplicate,
        raw_csm_id,
        raw_csm_name,
        raw_max_accounts
    from base
    where rejection_reason is not null

)

select * from final
