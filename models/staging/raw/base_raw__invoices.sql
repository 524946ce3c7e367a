{#-
    The only model reading raw invoices: raw values as text, parsed values
    and the rejection reason of every row (null = clean). Rules, first broken
    one wins: null_key, unparseable_date, unparseable_amount,
    negative_amount, amount_out_of_range, unknown_currency, unknown_status,
    after_as_of_date, orphan_account_id, orphan_subscription_id, duplicate_key. A payment
    recorded after the as-of date has not happened yet: paid_at is blanked
    and a 'paid' status reads 'open'. Reads stg_raw__accounts and
    stg_raw__subscriptions for the orphan checks.
-#}
with

source as (

    select * from {{ source('raw', 'invoices') }}

),

accounts as (

    select account_id from {{ ref('stg_raw__accounts') }}

),

subscriptions as (

    select subscription_id from {{ ref('stg_raw__subscriptions') }}

),

currency_rates as (

    select currency from {{ ref('currency_rates') }}

),

invoice_status_synonyms as (

    select
        raw_value,
        canonical_value
    from {{ ref('enum_synonyms') }}
    where domain = 'invoice_status'

),

raw_text as (

    select
        {{ staging_raw_text('invoice_id') }} as raw_invoice_id,
        {{ staging_raw_text('account_id') }} as raw_account_id,
        {{ staging_raw_text('subscription_id') }} as raw_subscription_id,
        {{ staging_raw_text('issued_at') }} as raw_issued_at,
        {{ staging_raw_text('due_at') }} as raw_due_at,
        {{ staging_raw_text('amount') }} as raw_amount,
        {{ staging_raw_text('currency') }} as raw_currency,
        {{ staging_raw_text('status') }} as raw_status,
        {{ staging_raw_text('paid_at') }} as raw_paid_at
    from source

),

parsed as (

    select
        raw_text.*,
        lower({{ staging_trimmed('raw_invoice_id') }}) as invoice_id,
        lower({{ staging_trimmed('raw_account_id') }}) as account_id,
        lower({{ staging_trimmed('raw_subscription_id') }}) as subscription_id,
        {{ staging_try_cast(
            staging_trimmed('raw_issued_at'), 'date') }} as issued_at,
        {{ staging_try_cast(
            staging_trimmed('raw_due_at'), 'date') }} as due_at,
        {{ staging_try_cast(
            staging_trimmed('raw_amount'), 'decimal(18, 2)') }} as amount,
        {{ staging_try_cast(
            staging_trimmed('raw_amount'), 'double') }} as amount_number,
        upper({{ staging_trimmed('raw_currency') }}) as currency,
        coalesce(
            invoice_status_synonyms.canonical_value,
            lower({{ staging_trimmed('raw_status') }})
        ) as status,
        {{ staging_try_cast(
            staging_trimmed('raw_paid_at'), 'timestamp') }} as paid_at
    from raw_text
    left join invoice_status_synonyms
        on
            lower({{ staging_trimmed('raw_text.raw_status') }})
            = invoice_status_synonyms.raw_value

),

checked as (

    select
        parsed.*,
        case
            when parsed.invoice_id is null then 'null_key'
            when
                parsed.issued_at is null
                or parsed.due_at is null
                or (
                    {{ staging_trimmed('parsed.raw_paid_at') }} is not null
                    and parsed.paid_at is null
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
            when currency_rates.currency is null then 'unknown_currency'
            when
                parsed.status is null
                or parsed.status not in (
                    'paid', 'open', 'void', 'uncollectible'
                )
                then 'unknown_status'
            when parsed.issued_at > {{ as_of_date() }} then 'after_as_of_date'
            when accounts.account_id is null then 'orphan_account_id'
            when
                parsed.subscription_id is not null
                and subscriptions.subscription_id is null
                then 'orphan_subscription_id'
        end as row_rejection_reason
    from parsed
    left join currency_rates
        on parsed.currency = currency_rates.currency
    left join accounts
        on parsed.account_id = accounts.account_id
    left join subscriptions
        on parsed.subscription_id = subscriptions.subscription_id

),

ranked as (

    select
        *,
        row_number() over (
            partition by invoice_id, row_rejection_reason
            order by
                account_id nulls last,
                subscription_id nulls last,
                issued_at nulls last,
                due_at nulls last,
                amount nulls last,
                currency nulls last,
                status nulls last,
                paid_at nulls last,
                raw_invoice_id nulls last,
                raw_account_id nulls last,
                raw_subscription_id nulls last,
                raw_issued_at nulls last,
                raw_due_at nulls last,
                raw_amount nulls last,
                raw_currency nulls last,
                raw_status nulls last,
                raw_paid_at nulls last
        ) as copy_number,
        count(*) over (
            partition by
                raw_invoice_id,
                raw_account_id,
                raw_subscription_id,
                raw_issued_at,
                raw_due_at,
                raw_amount,
                raw_currency,
                raw_status,
                raw_paid_at
        ) as identical_rows
    from checked

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
        case
            when
                status = 'paid'
                and cast(paid_at as date) > {{ as_of_date() }}
                then 'open'
            else status
        end as status,
        case
            when cast(paid_at as date) > {{ as_of_date() }} then null
            else paid_at
        end as paid_at,
        coalesce(
            row_rejection_reason,
            case when copy_number > 1 then 'duplicate_key' end
        ) as rejection_reason,
        (
            row_rejection_reason is null
            and copy_number > 1
            and identical_rows > 1
        ) as is_exact_duplicate,
        raw_invoice_id,
        raw_account_id,
        raw_subscription_id,
        raw_issued_at,
        raw_due_at,
        raw_amount,
        raw_currency,
        raw_status,
        raw_paid_at
    from ranked

)

select * from final
