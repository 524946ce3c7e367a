{#-
    The as-of date of this invocation, resolved once: one row that every
    model filtering or windowing by the as-of date reads (macros/as_of_date.sql
    returns a scalar subquery on this model). It lives in staging because
    staging itself quarantines rows dated after it; it reads the three raw
    tables that carry the business calendar (the one deliberate exception to
    one source per staging model, documented in _raw__as_of_date.yml).

    - var `as_of_date` set: that date (source `var`).
    - otherwise inferred: the latest usage day, else the latest invoice,
      else the latest subscription start (source = that table).
    - Guard against future-dated rows: a usage event dated more than
      `as_of_future_margin_days` after the latest billing activity (latest
      invoice issue, subscription start or cancellation) cannot move the
      inferred date; base_raw__usage_events quarantines it as `future_dated`.
      With no billing rows at all there is no guard.
-#}
{{ config(
    materialized='table',
    post_hook="{{ as_of_date_report() }}",
) }}
with

usage_events as (

    select
        cast({{ staging_timestamp('occurred_at') }} as date) as event_date
    from {{ source('raw', 'usage_events') }}

),

invoices as (

    select
        {{ staging_try_cast(
            staging_trimmed(staging_raw_text('issued_at')), 'date') }}
            as issued_date
    from {{ source('raw', 'invoices') }}

),

subscriptions as (

    select
        {{ staging_try_cast(
            staging_trimmed(staging_raw_text('start_date')), 'date') }}
            as start_date,
        cast({{ staging_timestamp('canceled_at') }} as date) as canceled_date
    from {{ source('raw', 'subscriptions') }}

),

billing_dates as (

    select issued_date as billing_date from invoices
    union all
    select start_date as billing_date from subscriptions
    union all
    select canceled_date as billing_date from subscriptions

),

invoice_bounds as (

    select max(issued_date) as latest_invoice_date
    from invoices

),

subscription_bounds as (

    select max(start_date) as latest_subscription_start_date
    from subscriptions

),

billing_bounds as (

    select
        invoice_bounds.latest_invoice_date,
        subscription_bounds.latest_subscription_start_date,
        billing_latest.latest_billing_date,
        cast({{ dbt.dateadd(
            'day',
            var('as_of_future_margin_days'),
            'billing_latest.latest_billing_date') }} as date)
            as future_dated_after
    from (
        select max(billing_date) as latest_billing_date
        from billing_dates
    ) as billing_latest
    cross join invoice_bounds
    cross join subscription_bounds

),

usage_bounds as (

    select
        max(usage_events.event_date) as latest_raw_usage_date,
        max(
            case
                when
                    billing_bounds.future_dated_after is null
                    or usage_events.event_date
                    <= billing_bounds.future_dated_after
                    then usage_events.event_date
            end
        ) as latest_usage_date,
        sum(
            case
                when
                    usage_events.event_date
                    > billing_bounds.future_dated_after
                    then 1
                else 0
            end
        ) as future_dated_usage_rows
    from usage_events
    cross join billing_bounds

),

resolved as (

    select
        {{ as_of_date_configured() }} as configured_as_of_date,
        usage_bounds.latest_raw_usage_date,
        usage_bounds.latest_usage_date,
        coalesce(usage_bounds.future_dated_usage_rows, 0)
            as future_dated_usage_rows,
        billing_bounds.latest_invoice_date,
        billing_bounds.latest_subscription_start_date,
        billing_bounds.latest_billing_date,
        billing_bounds.future_dated_after
    from usage_bounds
    cross join billing_bounds

),

final as (

    select
        cast(
            coalesce(
                configured_as_of_date,
                latest_usage_date,
                latest_invoice_date,
                latest_subscription_start_date
            ) as date
        ) as as_of_date,
        cast(
            case
                when configured_as_of_date is not null then 'var'
                when latest_usage_date is not null then 'usage_events'
                when latest_invoice_date is not null then 'invoices'
                when latest_subscription_start_date is not null
                    then 'subscriptions'
            end as {{ dbt.type_string() }}
        ) as as_of_date_source,
        configured_as_of_date is null as is_inferred,
        cast(latest_raw_usage_date as date) as latest_raw_usage_date,
        cast(latest_billing_date as date) as latest_billing_date,
        cast(future_dated_after as date) as future_dated_after,
        cast(future_dated_usage_rows as bigint) as future_dated_usage_rows
    from resolved

)

select * from final
