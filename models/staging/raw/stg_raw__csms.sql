{#- Clean customer success managers: one row per csm_id. -#}
with

base as (

    select * from {{ ref('base_raw__csms') }}

),

final as (

    select
        csm_id,
        csm_name,
        max_accounts
    from base
    where rejection_reason is null

)

select * from final
