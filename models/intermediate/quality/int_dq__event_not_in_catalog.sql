{#-
    Data-quality check event_not_in_catalog: raw usage events quarantined
    as unknown_event_name (event_name not in seeds/event_catalog.csv; the
    first broken rule, so a row that also has a null key or an unparseable
    date counts under that reason instead). Checked: every raw usage event
    (clean + quarantined). example_keys lists the unknown event names
    (lower-cased, as staging compares them), not event ids. List your events
    and write a starter catalog with `python -m cs_segments.events`.
-#}
with

usage_events as (

    select event_name from {{ ref('stg_raw__usage_events') }}

),

quarantined_usage_events as (

    select
        rejection_reason,
        lower(trim(raw_event_name)) as event_name
    from {{ ref('stg_raw__usage_events__quarantine') }}

),

checked as (

    select
        cast('usage_events' as {{ dbt.type_string() }}) as table_name,
        event_name as check_key,
        false as is_flagged
    from usage_events
    union all
    select
        cast('usage_events' as {{ dbt.type_string() }}) as table_name,
        event_name as check_key,
        rejection_reason = 'unknown_event_name' as is_flagged
    from quarantined_usage_events

),

{{ dq_summary_ctes('event_not_in_catalog', ['usage_events']) }}

select * from final
