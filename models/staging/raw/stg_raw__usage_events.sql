{#- Clean usage events: one row per event_id, with when it was staged. -#}
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
        quantity,
        loaded_at
    from base
    where rejection_reason is null

)

select * from final
