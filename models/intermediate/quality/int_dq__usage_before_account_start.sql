{#-
    Data-quality check usage_before_account_start: clean usage events dated
    (by day) before the account existed, i.e. before both the day of its
    created_at and the start of its first subscription (paid or not). Usage
    before the first subscription alone is normal (trials, onboarding); the
    day is compared, so time zones of different exports do not count.
    The events stay in the usage models.
-#}
with

usage_events as (

    select
        event_id,
        account_id,
        occurred_at
    from {{ ref('stg_raw__usage_events') }}

),

accounts as (

    select
        account_id,
        created_at
    from {{ ref('stg_raw__accounts') }}

),

subscriptions as (

    select
        account_id,
        start_date
    from {{ ref('stg_raw__subscriptions') }}

),

first_subscriptions as (

    select
        account_id,
        min(start_date) as first_start_date
    from subscriptions
    group by 1

),

account_starts as (

    select
        accounts.account_id,
        case
            when first_subscriptions.first_start_date is null
                then cast(accounts.created_at as date)
            when
                first_subscriptions.first_start_date
                < cast(accounts.created_at as date)
                then first_subscriptions.first_start_date
            else cast(accounts.created_at as date)
        end as account_start_date
    from accounts
    left join first_subscriptions
        on accounts.account_id = first_subscriptions.account_id

),

checked as (

    select
        cast('usage_events' as {{ dbt.type_string() }}) as table_name,
        usage_events.event_id as check_key,
        coalesce(
            cast(usage_events.occurred_at as date)
            < account_starts.account_start_date,
            false
        ) as is_flagged
    from usage_events
    left join account_starts
        on usage_events.account_id = account_starts.account_id

),

{{ dq_summary_ctes('usage_before_account_start', ['usage_events']) }}

select * from final
