{#- Clean support tickets: one row per ticket_id. -#}
with

base as (

    select * from {{ ref('base_raw__support_tickets') }}

),

final as (

    select
        ticket_id,
        account_id,
        opened_at,
        closed_at,
        priority,
        csat
    from base
    where rejection_reason is null

)

select * from final
