{#- Raw invoices rows rejected by staging, with the reason and raw text. -#}
with

base as (

    select * from {{ ref('base_raw__invoices') }}

),

final as (

    select
        invoice_id,
        rejection_reason,
        is_exact_duplicate,
        raw_invoice_id,
        raw_account_id,
        raw_subscription_id,
        raw_issued_at,
        raw_due_at,
        raw_amount,
        raw_currency,
        raw_status,
        raw_paid_at
    from base
    where rejection_reason is not null

)

select * from final
