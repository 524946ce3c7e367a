{#-
    Data-quality check invoice_subscription_in_other_account: clean invoices
    with a subscription_id whose subscription (stg_raw__subscriptions)
    belongs to another account. Checked: the invoices that name a
    subscription. The invoices stay in the models and count for the
    invoice's own account_id.
-#}
with

invoices as (

    select
        invoice_id,
        account_id,
        subscription_id
    from {{ ref('stg_raw__invoices') }}
    where subscription_id is not null

),

subscriptions as (

    select
        subscription_id,
        account_id
    from {{ ref('stg_raw__subscriptions') }}

),

checked as (

    select
        cast('invoices' as {{ dbt.type_string() }}) as table_name,
        invoices.invoice_id as check_key,
        coalesce(invoices.account_id <> subscriptions.account_id, false)
            as is_flagged
    from invoices
    left join subscriptions
        on invoices.subscription_id = subscriptions.subscription_id

),

{{ dq_summary_ctes('invoice_subscription_in_other_account', ['invoices']) }}

select * from final
