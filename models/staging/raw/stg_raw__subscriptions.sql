{#- Clean subscriptions: one row per subscription_id. -#}
with

base as (

    select * from {{ ref('base_raw__subscriptions') }}

),

final as (

    select
        subscription_id,
        account_id,
        plan_name,
        billing_interval,
        seats,
        amount,
        currency,
        start_date,
        end_date,
        canceled_at,
        cancel_reason
    from base
    where rejection_reason is null

)

select * from final
