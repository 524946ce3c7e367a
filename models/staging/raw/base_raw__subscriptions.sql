{#-
    The only model reading raw subscriptions: raw values as text, parsed
    values and the rejection reason of every row (null = clean). Rules, first
    broken one wins: null_key, unparseable_date, unparseable_amount,
    negative_amount, amount_out_of_range, invalid_number (seats),
    unknown_currency, unknown_billing_interval, end_before_start, after_as_of_date,
    orphan_account_id, duplicate_key. A cancellation recorded after the
    as-of date has not happened yet: canceled_at and cancel_reason are
    blanked. Reads stg_raw__accounts for the orphan check.
-#}
with

source as (

    select * from {{ source('raw', 'subscriptions') }}

),

accounts as (

    select account_id from {{ ref('stg_raw__accounts') }}

),

currency_rates as (

    select currency from {{ ref('currency_rates') }}

),

billing_interval_synonyms as (

    select
        raw_value,
        canonical_value
    from {{ ref('enum_synonyms') }}
    where domain = 'billing_interval'

),

raw_text as (

    select
        {{ staging_raw_text('subscription_id') }} as raw_subscription_id,
        {{ staging_raw_text('account_id') }} as raw_account_id,
        {{ staging_raw_text('plan_name') }} as raw_plan_name,
        {{ staging_raw_text('billing_interval') }} as raw_billing_interval,
        {{ staging_raw_text('seats') }} as raw_seats,
        {{ staging_raw_text('amount') }} as raw_amount,
        {{ staging_raw_text('currency') }} as raw_currency,
        {{ staging_raw_text('start_date') }} as raw_start_date,
        {{ staging_raw_text('end_date') }} as raw_end_date,
        {{ staging_raw_text('canceled_at') }} as raw_canceled_at,
        {{ staging_raw_text('cancel_reason') }} as raw_cancel_reason
    from source

),

parsed as (

    select
        raw_text.*,
        lower({{ staging_trimmed('raw_subscription_id') }})
            as subscription_id,
        lower({{ staging_trimmed('raw_account_id') }}) as account_id,
        lower({{ staging_trimmed('raw_plan_name') }}) as plan_name,
        case
            when
                coalesce(
                    billing_interval_synonyms.canonical_value,
                    lower({{ staging_trimmed('raw_billing_interval') }})
                ) in ('month', 'year')
                then coalesce(
                    billing_interval_synonyms.canonical_value,
                    lower({{ staging_trimmed('raw_billing_interval') }})
                )
        end as billing_interval,
        cast(
            round({{ staging_try_cast(
                staging_trimmed('raw_seats'), 'decimal(18, 4)') }}, 0)
            as integer
        ) as seats,
        {{ staging_try_cast(
            staging_trimmed('raw_amount'), 'decimal(18, 2)') }} as amount,
        {{ staging_try_cast(
            staging_trimmed('raw_amount'), 'double') }} as amount_number,
        upper({{ staging_trimmed('raw_currency') }}) as currency,
        {{ staging_try_cast(
            staging_trimmed('raw_start_date'), 'date') }} as start_date,
        {{ staging_try_cast(
            staging_trimmed('raw_end_date'), 'date') }} as end_date,
        {{ staging_try_cast(
            staging_trimmed('raw_canceled_at'), 'timestamp') }}
            as canceled_at,
        {{ staging_trimmed('raw_cancel_reason') }} as cancel_reason
    from raw_text
    left join billing_interval_synonyms
        on
            lower({{ staging_trimmed('raw_text.raw_billing_interval') }})
            = billing_interval_synonyms.raw_value

),

checked as (

    select
        parsed.*,
        case
            when parsed.subscription_id is null then 'null_key'
            when
                parsed.start_date is null
                or (
                    {{ staging_trimmed('parsed.raw_end_date') }} is not null
                    and parsed.end_date is null
                )
                or (
                    {{ staging_trimmed('parsed.raw_canceled_at') }}
                    is not null
                    and parsed.canceled_at is null
                )
                then 'unparseable_date'
            when
                parsed.amount_number is null
                or isnan(parsed.amount_number)
                then 'unparseable_amount'
            when parsed.amount_number < 0 then 'negative_amount'
            when
                parsed.amount_number > {{ staging_max_amount() }}
                or parsed.amount is null
                then 'amount_out_of_range'
            when
                {{ staging_trimmed('parsed.raw_seats') }} is null
                or {{ staging_is_bad_integer('parsed.raw_seats') }}
                then 'invalid_number'
            when currency_rates.currency is null then 'unknown_currency'
            when parsed.billing_interval is null
                then 'unknown_billing_interval'
            when parsed.end_date <= parsed.start_date
                then 'end_before_start'
            when parsed.start_date > {{ as_of_date() }}
                then 'after_as_of_date'
            when accounts.account_id is null then 'orphan_account_id'
        end as row_rejection_reason
    from parsed
    left join currency_rates
        on parsed.currency = currency_rates.currency
    left join accounts
        on parsed.account_id = accounts.account_id

),

ranked as (

    select
        *,
        row_number() over (
            partition by subscription_id, row_rejection_reason
            order by
                account_id nulls last,
                plan_name nulls last,
                billing_interval nulls last,
                seats nulls last,
                amount nulls last,
                currency nulls last,
                start_date nulls last,
                end_date nulls last,
                canceled_at nulls last,
                cancel_reason nulls last,
                raw_subscription_id nulls last,
                raw_account_id nulls last,
                raw_plan_name nulls last,
                raw_billing_interval nulls last,
                raw_seats nulls last,
                raw_amount nulls last,
                raw_currency nulls last,
                raw_start_date nulls last,
                raw_end_date nulls last,
                raw_canceled_at nulls last,
                raw_cancel_reason nulls last
        ) as copy_number,
        count(*) over (
            partition by
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
        ) as identical_rows
    from checked

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
        case
            when cast(canceled_at as date) > {{ as_of_date() }} then null
            else canceled_at
        end as canceled_at,
        case
            when cast(canceled_at as date) > {{ as_of_date() }} then null
            else cancel_reason
        end as cancel_reason,
        coalesce(
            row_rejection_reason,
            case when copy_number > 1 then 'duplicate_key' end
        ) as rejection_reason,
        (
            row_rejection_reason is null
            and copy_number > 1
            and identical_rows > 1
        ) as is_exact_duplicate,
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
    from ranked

)

select * from final
