{#- Clean usage events: one row per event_id. -#}
with

base as (

    select * from {{ ref('base_raw__usage_events') }}

),

final as (

    select
        event_id,
        account_id,
        user_id,
        event_name,
        occurred_at,
        quantity
    from base
    where rejection_reason is null

)

select * from final
