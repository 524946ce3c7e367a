{#-
    The one scan of raw usage: events rolled up per account, user, event and
    day. Every later model reads this rollup, never the events themselves.
    Account-level events (no user) keep a null user_id.

    Incremental (config by adapter in macros/behaviour.sql): a run re-reads
    the days from `usage_daily_lookback_days` days before the latest day
    already loaded, and replaces those days whole (delete+insert on DuckDB,
    partition insert_overwrite on Spark). Full rebuild:
    `dbt build --full-refresh --select int_usage_daily`.
-#}
{{ config(**usage_daily_incremental_config()) }}

with

usage_events as (

    select * from {{ ref('stg_raw__usage_events') }}
    {% if is_incremental() %}
        where
            cast(occurred_at as date) >= (
                select
                    coalesce(
                        {{ behaviour_days_before(
                            'max(activity_date)',
                            var('usage_daily_lookback_days')) }},
                        cast('1900-01-01' as date)
                    )
                from {{ this }}
            )
    {% endif %}

),

rolled_up as (

    select
        account_id,
        user_id,
        event_name,
        cast(occurred_at as date) as activity_date,
        sum(quantity) as event_count
    from usage_events
    group by 1, 2, 3, 4

),

final as (

    select
        account_id,
        user_id,
        event_name,
        activity_date,
        cast(event_count as bigint) as event_count
    from rolled_up

)

select * from final
