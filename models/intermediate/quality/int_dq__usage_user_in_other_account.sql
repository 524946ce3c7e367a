{#-
    Data-quality check usage_user_in_other_account: clean usage events with
    a user_id whose user (stg_raw__users) belongs to another account. Checked:
    the events that name a user. The events stay in the usage models and
    count for the event's own account_id.
-#}
with

usage_events as (

    select
        event_id,
        account_id,
        user_id
    from {{ ref('stg_raw__usage_events') }}
    where user_id is not null

),

users as (

    select
        user_id,
        account_id
    from {{ ref('stg_raw__users') }}

),

checked as (

    select
        cast('usage_events' as {{ dbt.type_string() }}) as table_name,
        usage_events.event_id as check_key,
        coalesce(usage_events.account_id <> users.account_id, false)
            as is_flagged
    from usage_events
    left join users
        on usage_events.user_id = users.user_id

),

{{ dq_summary_ctes('usage_user_in_other_account', ['usage_events']) }}

select * from final
