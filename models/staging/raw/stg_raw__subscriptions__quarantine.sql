{#- Raw subscriptions rows rejected by staging, with the reason and raw text. -#}
with

base as (

    select * from {{ ref('base_raw__subscriptions') }}

),

final as (

    select
        subscription_id,
        rejection_reason,
        is_exact_duplicate,
        raw_subscription_id,
        raw_account_id,
        raw_plan_name,
        raw_billing_interval,
        raw_seats,
        raw_amount,
        raw_currency,
        raw_start_date,
        raw_end_date,
        raw_canceled_at,
        raw_cancel_reason
    from base
    where rejection_reason is not null

)

select * from final
