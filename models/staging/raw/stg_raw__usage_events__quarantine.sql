{#- Raw usage_events rows rejected by staging, with the reason and raw text. -#}
with

base as (

    select * from {{ ref('base_raw__usage_events') }}

),

final as (

    select
        event_id,
        rejection_reason,
        is_exact_duplicate,
        raw_event_id,
        raw_account_id,
        raw_user_id,
        raw_event_name,
        raw_occurred_at,
        raw_quantity
    from base
    where rejection_reason is not null

)

select * from final
