{#- Raw support_tickets rows rejected by staging, with the reason and raw text. -#}
with

base as (

    select * from {{ ref('base_raw__support_tickets') }}

),

final as (

    select
        ticket_id,
        rejection_reason,
        is_exact_duplicate,
        raw_ticket_id,
        raw_account_id,
        raw_opened_at,
        raw_closed_at,
        raw_priority,
        raw_csat
    from base
    where rejection_reason is not null

)

select * from final
