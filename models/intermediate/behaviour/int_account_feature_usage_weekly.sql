{#-
    Key-feature usage per account, as-of date and key feature (long): one row
    for every key feature of the event_catalog seed (is_key_feature) and every
    row of the weekly spine (int_account_weeks), zeros when unused. Adding a
    key feature to the seed adds rows here, with no SQL edit.
    Windows end on the as-of date inclusive: 30d = days as_of-29..as_of,
    prior 30d = as_of-59..as_of-30, 90d = as_of-89..as_of. Computed like
    int_account_usage_weekly: daily rollups summed into weekly buckets once,
    windows as sums over ranges of buckets, distinct users as a running total
    of coverage intervals (macros/behaviour.sql).
-#}
with

account_weeks as (

    select
        account_id,
        as_of_date,
        is_current,
        week_index
    from {{ ref('int_account_weeks') }}

),

event_catalog as (

    select event_name
    from {{ ref('event_catalog') }}
    where is_key_feature = true

),

-- The rollup is read twice, by two import CTEs (feature totals, users):
-- one CTE read by both would be materialized whole (every daily row) first.
usage_daily_features as (

    select
        account_id,
        event_name,
        activity_date,
        event_count
    from {{ ref('int_usage_daily') }}

),

usage_daily_users as (

    select
        account_id,
        user_id,
        event_name,
        activity_date
    from {{ ref('int_usage_daily') }}
    where user_id is not null

),

current_as_of as (

    select max(as_of_date) as current_as_of_date
    from {{ ref('int_account_weeks') }}
    where is_current = true

),

feature_days as (

    select
        usage_daily_features.account_id,
        usage_daily_features.event_name,
        usage_daily_features.event_count,
        {{ dbt.datediff(
            'usage_daily_features.activity_date',
            'current_as_of.current_as_of_date', 'day') }} as days_back
    from usage_daily_features
    inner join event_catalog
        on usage_daily_features.event_name = event_catalog.event_name
    cross join current_as_of
    where
        usage_daily_features.activity_date
        <= current_as_of.current_as_of_date

),

feature_user_days as (

    select
        usage_daily_users.account_id,
        usage_daily_users.event_name,
        usage_daily_users.user_id,
        {{ dbt.datediff(
            'usage_daily_users.activity_date',
            'current_as_of.current_as_of_date', 'day') }} as days_back
    from usage_daily_users
    inner join event_catalog
        on usage_daily_users.event_name = event_catalog.event_name
    cross join current_as_of
    where
        usage_daily_users.activity_date
        <= current_as_of.current_as_of_date

),

feature_buckets as (

    select
        account_id,
        event_name,
        {{ usage_week_index('days_back') }} as week_index,
        {{ usage_bucket_sums('event_count', 'days_back') }}
    from feature_days
    group by 1, 2, 3

),

user_buckets as (

    select
        account_id,
        event_name,
        user_id,
        {{ usage_week_index('days_back') }} as week_index,
        min(days_back % 7) as min_days_back_in_bucket
    from feature_user_days
    group by 1, 2, 3, 4

),

ordered_user_buckets as (

    select
        account_id,
        event_name,
        week_index,
        min_days_back_in_bucket,
        lag(week_index) over (
            partition by account_id, event_name, user_id
            order by week_index
        ) as previous_week_index
    from user_buckets

),

user_coverage as (

    select
        account_id,
        event_name,
        week_index,
        {{ usage_user_coverage_start(3, '<= 1') }} as start_30d
    from ordered_user_buckets

),

user_deltas as (

    -- +1 where a user's coverage starts, -1 after the bucket it ends on.
    select
        account_id,
        event_name,
        start_30d as week_index,
        1 as users_30d_delta
    from user_coverage

    union all

    select
        account_id,
        event_name,
        week_index + 1 as week_index,
        -1 as users_30d_delta
    from user_coverage

),

timeline_rows as (

    select
        account_weeks.account_id,
        event_catalog.event_name,
        account_weeks.week_index,
        account_weeks.as_of_date,
        account_weeks.is_current,
        1 as is_panel_row,
        0 as bucket_total,
        0 as bucket_last_2d,
        0 as bucket_last_4d,
        0 as bucket_last_6d,
        0 as users_30d_delta
    from account_weeks
    cross join event_catalog

    union all

    select
        account_id,
        event_name,
        week_index,
        cast(null as date) as as_of_date,
        cast(null as boolean) as is_current,
        0 as is_panel_row,
        bucket_total,
        bucket_last_2d,
        bucket_last_4d,
        bucket_last_6d,
        0 as users_30d_delta
    from feature_buckets

    union all

    select
        account_id,
        event_name,
        week_index,
        cast(null as date) as as_of_date,
        cast(null as boolean) as is_current,
        0 as is_panel_row,
        0 as bucket_total,
        0 as bucket_last_2d,
        0 as bucket_last_4d,
        0 as bucket_last_6d,
        users_30d_delta
    from user_deltas

),

timeline as (

    -- One row per account, feature and week: the range-frame windows below
    -- give all rows of one week_index the same values, so summing them
    -- first changes no result and leaves the windows a third of the rows.
    select
        account_id,
        event_name,
        week_index,
        max(as_of_date) as as_of_date,
        max(is_current) as is_current,
        max(is_panel_row) as is_panel_row,
        sum(bucket_total) as bucket_total,
        sum(bucket_last_2d) as bucket_last_2d,
        sum(bucket_last_4d) as bucket_last_4d,
        sum(bucket_last_6d) as bucket_last_6d,
        sum(users_30d_delta) as users_30d_delta
    from timeline_rows
    group by 1, 2, 3

),

windowed as (

    select
        account_id,
        event_name,
        as_of_date,
        is_current,
        is_panel_row,
        {{ usage_window_sums('account_id, event_name') }},
        sum(users_30d_delta) over (
            partition by account_id, event_name
            order by week_index
            range between unbounded preceding and current row
        ) as active_users_30d
    from timeline

),

final as (

    select
        account_id,
        as_of_date,
        is_current,
        event_name,
        cast(events_30d as bigint) as events_30d,
        cast(events_60d - events_30d as bigint) as events_prior_30d,
        cast(events_90d as bigint) as events_90d,
        cast(active_users_30d as bigint) as active_users_30d
    from windowed
    where is_panel_row = 1

)

select * from final
