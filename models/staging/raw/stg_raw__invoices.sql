{#- Clean invoices: one row per invoice_id. -#}
with

base as (

    select * from {{ ref('base_raw__invoices') }}

),

final as (

    select
        invoice_id,
        account_id,
        subscription_id,
        issued_at,
        due_at,
        amount,
        currency,
        status,
        paid_at
    from base
    where rejection_reason is null

)

select * from final
