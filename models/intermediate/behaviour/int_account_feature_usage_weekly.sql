{#-
    Key-feature usage per account, as-of date and key feature (long): one row
    for every key feature of the event_catalog seed (is_key_feature) and every
    account that existed on the as-of date, zeros when unused. Adding a key
    feature to the seed adds rows here, with no SQL edit.
    Windows end on the as-of date inclusive: 30d = days as_of-29..as_of,
    prior 30d = as_of-59..as_of-30, 90d = as_of-89..as_of.
    Performance: instead of a range join of the panel to daily rows, every
    daily row is expanded to the (at most 13) weekly as-of dates whose 90-day
    window contains it: as-of dates are the current one and every 7th day
    before it, so a day d falls in the windows of d + r + 7k, r = (days from
    d to the current as-of date) mod 7, k = 0..12, while r + 7k <= 89. The
    expansion is then equi-joined to the panel on (account_id, as_of_date),
    which keeps only real as-of dates on which the account existed.
-#}
with

as_of_dates as (

    select
        as_of_date,
        is_current
    from {{ ref('int_as_of_dates') }}

),

accounts as (

    select
        account_id,
        created_at
    from {{ ref('stg_raw__accounts') }}

),

event_catalog as (

    select event_name
    from {{ ref('event_catalog') }}
    where is_key_feature = true

),

usage_daily as (

    select
        account_id,
        user_id,
        event_name,
        activity_date,
        event_count
    from {{ ref('int_usage_daily') }}

),

account_panel as (

    select
        accounts.account_id,
        as_of_dates.as_of_date,
        as_of_dates.is_current
    from accounts
    inner join as_of_dates
        on cast(accounts.created_at as date) <= as_of_dates.as_of_date

),

current_as_of as (

    select max(as_of_date) as current_as_of_date
    from as_of_dates
    where is_current = true

),

week_offsets as (

    {{ behaviour_week_offsets() }}

),

key_feature_user_days as (

    select
        usage_daily.account_id,
        usage_daily.user_id,
        usage_daily.event_name,
        usage_daily.activity_date,
        usage_daily.event_count
    from usage_daily
    inner join event_catalog
        on usage_daily.event_name = event_catalog.event_name
    cross join current_as_of
    where usage_daily.activity_date <= current_as_of.current_as_of_date

),

key_feature_days as (

    select
        key_feature_user_days.account_id,
        key_feature_user_days.event_name,
        key_feature_user_days.activity_date,
        {{ behaviour_days_to_next_as_of(
            'key_feature_user_days.activity_date') }} as days_to_next_as_of,
        sum(key_feature_user_days.event_count) as event_count
    from key_feature_user_days
    cross join current_as_of
    group by 1, 2, 3, 4

),

distinct_key_feature_user_days as (

    select distinct
        key_feature_user_days.account_id,
        key_feature_user_days.user_id,
        key_feature_user_days.event_name,
        key_feature_user_days.activity_date,
        {{ behaviour_days_to_next_as_of(
            'key_feature_user_days.activity_date') }} as days_to_next_as_of
    from key_feature_user_days
    cross join current_as_of
    where key_feature_user_days.user_id is not null

),

key_feature_days_by_as_of as (

    -- One row per daily row and as-of date whose 90-day window contains it.
    select
        key_feature_days.account_id,
        key_feature_days.event_name,
        key_feature_days.event_count,
        {{ behaviour_days_before_as_of('key_feature_days') }}
            as days_before_as_of,
        {{ behaviour_expanded_as_of_date('key_feature_days') }} as as_of_date
    from key_feature_days
    cross join week_offsets
    where {{ behaviour_days_before_as_of('key_feature_days') }} <= 89

),

key_feature_user_days_by_as_of as (

    -- One row per user-day and as-of date whose 30-day window contains it.
    select
        distinct_key_feature_user_days.account_id,
        distinct_key_feature_user_days.user_id,
        distinct_key_feature_user_days.event_name,
        {{ behaviour_expanded_as_of_date('distinct_key_feature_user_days') }}
            as as_of_date
    from distinct_key_feature_user_days
    cross join week_offsets
    where
        {{ behaviour_days_before_as_of(
            'distinct_key_feature_user_days') }} <= 29

),

events_in_windows as (

    select
        account_panel.account_id,
        account_panel.as_of_date,
        key_feature_days_by_as_of.event_name,
        sum(
            case
                when key_feature_days_by_as_of.days_before_as_of <= 29
                    then key_feature_days_by_as_of.event_count
                else 0
            end
        ) as events_30d,
        sum(
            case
                when
                    key_feature_days_by_as_of.days_before_as_of >= 30
                    and key_feature_days_by_as_of.days_before_as_of <= 59
                    then key_feature_days_by_as_of.event_count
                else 0
            end
        ) as events_prior_30d,
        sum(key_feature_days_by_as_of.event_count) as events_90d
    from account_panel
    inner join key_feature_days_by_as_of
        on
            account_panel.account_id = key_feature_days_by_as_of.account_id
            and account_panel.as_of_date
            = key_feature_days_by_as_of.as_of_date
    group by 1, 2, 3

),

users_in_window as (

    select
        account_panel.account_id,
        account_panel.as_of_date,
        key_feature_user_days_by_as_of.event_name,
        count(distinct key_feature_user_days_by_as_of.user_id)
            as active_users_30d
    from account_panel
    inner join key_feature_user_days_by_as_of
        on
            account_panel.account_id
            = key_feature_user_days_by_as_of.account_id
            and account_panel.as_of_date
            = key_feature_user_days_by_as_of.as_of_date
    group by 1, 2, 3

),

final as (

    select
        account_panel.account_id,
        account_panel.as_of_date,
        account_panel.is_current,
        event_catalog.event_name,
        cast(coalesce(events_in_windows.events_30d, 0) as bigint)
            as events_30d,
        cast(coalesce(events_in_windows.events_prior_30d, 0) as bigint)
            as events_prior_30d,
        cast(coalesce(events_in_windows.events_90d, 0) as bigint)
            as events_90d,
        cast(coalesce(users_in_window.active_users_30d, 0) as bigint)
            as active_users_30d
    from account_panel
    cross join event_catalog
    left join events_in_windows
        on
            account_panel.account_id = events_in_windows.account_id
            and account_panel.as_of_date = events_in_windows.as_of_date
            and event_catalog.event_name = events_in_windows.event_name
    left join users_in_window
        on
            account_panel.account_id = users_in_window.account_id
            and account_panel.as_of_date = users_in_window.as_of_date
            and event_catalog.event_name = users_in_window.event_name

)

select * from final
