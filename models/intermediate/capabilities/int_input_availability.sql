{#-
    Which inputs this build has: one row per input the dimensions,
    behaviours and segments need (int_capability_requirements), with the
    clean rows that carry it and, when it has none, why.
    Inputs: one per raw table (its staged rows), plus
      user_level_usage   usage events with a user_id (active users, seat
                         utilisation, activation need them);
      key_feature_usage  usage events of a key feature of the event_catalog
                         seed (feature adoption, healthy usage).
    churn_indicators is an input too, but learned later
    (int_churn_indicator_lift); rpt_capabilities adds it.
-#}
with

staging_outcomes as (

    select
        table_name,
        row_count
    from {{ ref('int_staging_outcomes') }}
    where outcome = 'staged'

),

usage_events as (

    select
        user_id,
        event_name,
        quantity
    from {{ ref('stg_raw__usage_events') }}

),

event_catalog as (

    select
        event_name,
        is_key_feature
    from {{ ref('event_catalog') }}

),

table_inputs as (

    select
        table_name as input_key,
        row_count as clean_rows,
        {{ dbt.concat(["table_name", "' is empty'"]) }} as reason_if_missing
    from staging_outcomes

),

usage_inputs as (

    select
        'user_level_usage' as input_key,
        count(usage_events.user_id) as clean_rows,
        case
            when count(*) = 0 then 'usage_events is empty'
            else 'usage_events has no user_id'
        end as reason_if_missing
    from usage_events

    union all

    select
        'key_feature_usage' as input_key,
        count(event_catalog.event_name) as clean_rows,
        case
            when count(*) = 0 then 'usage_events is empty'
            else 'no usage event is a key feature (seeds/event_catalog.csv)'
        end as reason_if_missing
    from usage_events
    left join event_catalog
        on
            usage_events.event_name = event_catalog.event_name
            and event_catalog.is_key_feature = true

),

inputs as (

    select * from table_inputs
    union all
    select * from usage_inputs

),

final as (

    select
        input_key,
        cast(clean_rows as bigint) as clean_rows,
        clean_rows > 0 as is_available,
        case
            when clean_rows = 0 then reason_if_missing
        end as unavailable_reason
    from inputs

)

select * from final
