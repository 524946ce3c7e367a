{#-
    The one scan of raw usage: events rolled up per account, user, event and
    day. Every later model reads this rollup, never the events themselves.
    Account-level events (no user) keep a null user_id.

    Incremental (config by adapter in macros/behaviour.sql). A run reloads,
    whole (delete+insert of days on DuckDB; on Spark, insert_overwrite of
    the month partitions (activity_month) that hold any of these days):
    - the days from `usage_daily_lookback_days` days before the latest day
      already loaded, and
    - every other day whose staged total (sum of quantity) differs from the
      stored one: late rows dated before the last processed day are
      detected and loaded (`usage_daily_detect_changed_days`, default true;
      one grouped pass over the staged usage, by day only).
    Each row carries `loaded_at`: when the run that wrote its day started.
    The usage panels (int_account_usage_weekly and
    int_account_feature_usage_weekly, incremental) recompute the week ends
    on or after the earliest day loaded since their own last build.
    tests/assert_usage_daily_reconciles.sql checks that the rollup equals
    the staged usage; when it fails (a correction that keeps a day's total,
    a day whose events all vanished, the as-of date moved backwards), run
    `dbt build --full-refresh --select int_usage_daily+`.
-#}
{{ config(**usage_daily_incremental_config()) }}
{%- set reload_grain = usage_daily_reload_grain() %}

with

usage_events as (

    select * from {{ ref('stg_raw__usage_events') }}

),

{% if is_incremental() %}

-- The staged events are read by a second import CTE for the day totals:
-- one CTE read twice would be materialized whole (every event) first.
usage_event_days as (

    select
        occurred_at,
        quantity
    from {{ ref('stg_raw__usage_events') }}

),

stored_days as (

    select
        activity_date,
        sum(event_count) as event_count
    from {{ this }}
    group by 1

),

reload_from as (

    select
        coalesce(
            {{ behaviour_days_before(
                'max(activity_date)',
                var('usage_daily_lookback_days')) }},
            cast('1900-01-01' as date)
        ) as reload_from_date
    from stored_days

),

staged_days as (

    select
        cast(occurred_at as date) as activity_date,
        sum(quantity) as event_count
    from usage_event_days
    group by 1

),

changed_days as (

    select staged_days.activity_date
    from staged_days
    cross join reload_from
    left join stored_days
        on staged_days.activity_date = stored_days.activity_date
    where
        staged_days.activity_date >= reload_from.reload_from_date
        {% if var('usage_daily_detect_changed_days') -%}
            or stored_days.activity_date is null
            or stored_days.event_count <> staged_days.event_count
        {%- endif %}

),

days_to_load as (

    {% if reload_grain == 'month' -%}
        -- Whole partitions are replaced (Spark): every staged day of a month
        -- that has a day to load.
        select staged_days.activity_date
        from staged_days
        where
            {{ usage_daily_month('staged_days.activity_date') }} in (
                select {{ usage_daily_month('changed_days.activity_date') }}
                from changed_days
            )
    {%- else -%}
        select activity_date
        from changed_days
    {%- endif %}

),

{% endif %}

events_to_load as (

    select usage_events.*
    from usage_events
    {% if is_incremental() -%}
        inner join days_to_load
            on
                cast(usage_events.occurred_at as date)
                = days_to_load.activity_date
    {%- endif %}

),

rolled_up as (

    select
        account_id,
        user_id,
        event_name,
        cast(occurred_at as date) as activity_date,
        sum(quantity) as event_count
    from events_to_load
    group by 1, 2, 3, 4

),

final as (

    select
        account_id,
        user_id,
        event_name,
        activity_date,
        cast(event_count as bigint) as event_count,
        {% if reload_grain == 'month' -%}
            -- the partition column (Spark only)
            {{ usage_daily_month('activity_date') }} as activity_month,
        {% endif -%}
        {{ run_started_at_timestamp() }} as loaded_at
    from rolled_up

)

select * from final
