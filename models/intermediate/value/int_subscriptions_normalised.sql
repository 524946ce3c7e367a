{#-
    One row per subscription with its monthly recurring revenue in US
    dollars: the charge per billing interval (after discount) spread over the
    months of the interval (1 for monthly, 12 for annual plans) and converted
    with the currency_rates seed. A subscription with mrr_usd > 0 is paid;
    zero-amount rows (trials, free plans) are kept but flagged.
-#}
with

subscriptions as (

    select * from {{ ref('stg_raw__subscriptions') }}

),

currency_rates as (

    select * from {{ ref('currency_rates') }}

),

converted as (

    select
        subscriptions.subscription_id,
        subscriptions.account_id,
        subscriptions.plan_name,
        subscriptions.billing_interval,
        subscriptions.seats,
        subscriptions.amount,
        subscriptions.currency,
        currency_rates.usd_per_unit,
        subscriptions.start_date,
        subscriptions.end_date,
        subscriptions.canceled_at,
        -- a quotient: cs_decimal rounds it alike on every engine
        {{ cs_decimal(
            'subscriptions.amount * currency_rates.usd_per_unit / case'
            ~ " when subscriptions.billing_interval = 'year' then 12"
            ~ ' else 1 end', 28, 6) }} as mrr_usd,
        cast(
            subscriptions.amount * currency_rates.usd_per_unit
            * case
                when subscriptions.billing_interval = 'year' then 1
                else 12
            end
            as {{ dbt.type_numeric() }}
        ) as arr_usd
    from subscriptions
    left join currency_rates
        on subscriptions.currency = currency_rates.currency

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
        usd_per_unit,
        mrr_usd,
        arr_usd,
        coalesce(mrr_usd > 0, false) as is_paid,
        start_date,
        end_date,
        canceled_at
    from converted

)

select * from final
