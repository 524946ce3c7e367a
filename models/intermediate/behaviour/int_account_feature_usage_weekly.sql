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
    Memory: at 100,000 accounts the windows run over ~35 M rows (account x
    week x key feature), so their input is kept narrow: each key feature is
    a small integer (feature_key) until the final select, bucket sums are
    bigint, and the as-of date and is_current are joined back by week_index
    after the windows (int_as_of_dates, one row per week) instead of being
    carried through them. Only the days some window reaches are read: the
    90-day window of the oldest as-of date (week K) ends in bucket K + 12,
    so days of buckets after K + 13 are left out; with `history_weeks`
    shorter than the usage history, the panel reads that much less (at
    100,000 accounts and `history_weeks: 1` the whole history ran out of
    memory).
    The buckets are those of the week ends (int_as_of_dates.is_week_end),
    counted back from the latest one. The open as-of date (not a week end,
    an open last period) is computed directly, per account and key feature,
    from the daily rows of its 90 days (summed per user, then per account
    and key feature: macros/behaviour.sql).
    Incremental on DuckDB, like int_account_usage_weekly
    (usage_panel_config, macros/behaviour.sql): a run recomputes the as-of
    dates on or after the earliest day loaded into int_usage_daily since
    the panel's last build (or a new row of the spine), and the open date,
    reading only the days their windows reach; every as-of date when the
    key features of the event_catalog seed changed. When the run
    recomputes one week end only (a daily run with no late usage), that
    week end is computed like the open date, from its own 90 days, and the
    grid of buckets reads nothing (usage_panel_plan, macros/behaviour.sql).
-#}
{{ config(**usage_panel_config()) }}
{%- set incremental = usage_panel_is_incremental() %}
{%- set key_features_cte -%}
key_features as (

    select
        event_name,
        row_number() over (order by event_name) as feature_key
    from {{ ref('event_catalog') }}
    where is_key_feature = true

)
{%- endset -%}
{%- set stored_features_ctes -%}
stored_features as (

    -- The key features of the stored rows (one set for every as-of date:
    -- a change of the set recomputes them all).
    select distinct event_name
    from {{ this }}
    where as_of_date = (select max(as_of_date) from {{ this }})

),

first_key_feature as (

    select min(event_name) as event_name
    from key_features

)
{%- endset -%}
{%- set recompute_ctes = usage_panel_recompute(
    incremental,
    stored_ctes=stored_features_ctes,
    stored_keys_where="event_name = (select event_name from first_key_feature)",
    everything_changed="exists (select event_name from key_features except "
        ~ "select event_name from stored_features) or exists (select "
        ~ "event_name from stored_features except select event_name from "
        ~ "key_features)") -%}
{#- What this run recomputes, decided before its query (usage_panel_plan):
    when it is one week end only, that week end is computed directly, and
    the grid of buckets reads nothing. -#}
{%- set plan = usage_panel_plan(
    incremental, key_features_cte ~ ",\n\n" ~ recompute_ctes) -%}
{%- set direct_week_end = plan.direct_week_end if plan else none %}
{#- The dates computed directly, as literals when the plan gives them. -#}
{%- set direct_dates = plan.direct_dates if plan else none %}
with

account_weeks as (

    select
        account_id,
        week_index
    from {{ ref('int_account_weeks') }}
    where is_week_end

),

direct_account_weeks as (

    select
        account_id,
        as_of_date
    from {{ ref('int_account_weeks') }}
    where {{ usage_is_direct_date(direct_week_end) }}

),

as_of_dates as (

    select
        as_of_date,
        is_current,
        week_index
    from {{ ref('int_as_of_dates') }}
    where is_week_end

),

direct_dates as (

    -- The as-of dates computed directly from their own days: the open date
    -- (none when the as-of date is a week end) and, when this run
    -- recomputes one week end only, that week end (usage_panel_plan).
    select
        as_of_date,
        is_current
    from {{ ref('int_as_of_dates') }}
    where {{ usage_is_direct_date(direct_week_end) }}

),

direct_bounds as (

    -- One row (a one-row aggregate: DuckDB filters the days by it in a
    -- nested loop with one row, where a zero-or-one-row CTE made a merge
    -- join that sorted every day first, 7 s at 100,000 accounts).
    {{ usage_direct_bounds() }}

),

{{ key_features_cte }},

{{ plan.recompute if plan else recompute_ctes }},

-- The rollup is read three times, by three import CTEs (feature totals,
-- users, the days of the dates computed directly): one CTE read by two
-- queries would be materialized whole (every daily row) first.
usage_daily_features as (

    select
        account_id,
        event_name,
        activity_date,
        event_count
    from {{ ref('int_usage_daily') }}
    {%- if direct_week_end %}
    -- No week end is computed on the grid of buckets in this run.
    where false
    {%- endif %}

),

usage_daily_users as (

    select
        account_id,
        user_id,
        event_name,
        activity_date
    from {{ ref('int_usage_daily') }}
    where
        user_id is not null
        and {{ 'false' if direct_week_end else 'true' }}

),

usage_daily_direct as (

    select
        account_id,
        user_id,
        event_name,
        activity_date,
        event_count
    from {{ ref('int_usage_daily') }}
    where {{ usage_direct_days_where(direct_dates) }}

),

latest_week_end as (

    -- The end of the week ends' grid (week_index 0): the buckets count
    -- back from it; the oldest week end this run recomputes (null when
    -- none is).
    select
        max(
            case
                when as_of_dates.week_index = 0 then as_of_dates.as_of_date
            end
        ) as week_end_date,
        -- (none when the week ends recomputed are computed directly)
        max(
            case
                when
                    {{ 'false' if direct_week_end else 'true' }}
                    and as_of_dates.as_of_date >= recompute.recompute_from_date
                    then as_of_dates.week_index
            end
        ) as oldest_week_index
    from as_of_dates
    cross join recompute

),

usage_bounds as (

    -- The days any window of the panel reaches (macros/behaviour.sql).
    select
        week_end_date,
        oldest_week_index,
        {{ usage_first_day_reached('week_end_date', 'oldest_week_index') }}
            as first_usage_date
    from latest_week_end

),

feature_days as (

    select
        usage_daily_features.account_id,
        key_features.feature_key,
        usage_daily_features.event_count,
        {{ dbt.datediff(
            'usage_daily_features.activity_date',
            'usage_bounds.week_end_date', 'day') }} as days_back
    from usage_daily_features
    inner join key_features
        on usage_daily_features.event_name = key_features.event_name
    cross join usage_bounds
    where
        usage_daily_features.activity_date
        between usage_bounds.first_usage_date
        and usage_bounds.week_end_date

),

feature_user_days as (

    select
        usage_daily_users.account_id,
        key_features.feature_key,
        usage_daily_users.user_id,
        {{ dbt.datediff(
            'usage_daily_users.activity_date',
            'usage_bounds.week_end_date', 'day') }} as days_back
    from usage_daily_users
    inner join key_features
        on usage_daily_users.event_name = key_features.event_name
    cross join usage_bounds
    where
        usage_daily_users.activity_date
        between usage_bounds.first_usage_date
        and usage_bounds.week_end_date

),

feature_buckets as (

    select
        account_id,
        feature_key,
        {{ usage_week_index('days_back') }} as week_index,
        {{ usage_bucket_sums('event_count', 'days_back') }}
    from feature_days
    group by 1, 2, 3

),

user_buckets as (

    select
        account_id,
        feature_key,
        user_id,
        {{ usage_week_index('days_back') }} as week_index,
        min(days_back % 7) as min_days_back_in_bucket
    from feature_user_days
    group by 1, 2, 3, 4

),

ordered_user_buckets as (

    select
        account_id,
        feature_key,
        week_index,
        min_days_back_in_bucket,
        lag(week_index) over user_order as previous_week_index,
        lead(week_index) over user_order as next_week_index,
        lead(min_days_back_in_bucket) over user_order
            as next_min_days_back_in_bucket
    from user_buckets
    window user_order as (
        partition by account_id, feature_key, user_id
        order by week_index
    )

),

user_coverage as (

    select
        account_id,
        feature_key,
        week_index,
        {{ usage_user_coverage_start(3, '<= 1') }} as start_30d,
        {{ usage_user_coverage_starts_island(3, '<= 1') }}
            as starts_island_30d,
        {{ usage_user_coverage_ends_island(3, '<= 1') }} as ends_island_30d
    from ordered_user_buckets

),

coverage_edges as (

    -- Each coverage interval gives two rows of user_deltas, made by a cross
    -- join with these two rows: a union of two selects would read
    -- user_coverage twice, and DuckDB would first materialize it whole
    -- (out of memory at 100,000 accounts).
    select 1 as users_30d_delta
    union all
    select -1 as users_30d_delta

),

user_deltas as (

    -- +1 where a user's coverage starts, -1 after the bucket it ends on;
    -- only at the ends of islands (macros/behaviour.sql).
    select
        user_coverage.account_id,
        user_coverage.feature_key,
        coverage_edges.users_30d_delta,
        case
            when coverage_edges.users_30d_delta = 1
                then user_coverage.start_30d
            else user_coverage.week_index + 1
        end as week_index
    from user_coverage
    cross join coverage_edges
    where
        (coverage_edges.users_30d_delta = 1 and user_coverage.starts_island_30d)
        or (
            coverage_edges.users_30d_delta = -1
            and user_coverage.ends_island_30d
        )

),

timeline_rows as (

    select
        account_weeks.account_id,
        key_features.feature_key,
        account_weeks.week_index,
        1 as is_panel_row,
        0 as bucket_total,
        0 as bucket_last_2d,
        0 as bucket_last_4d,
        0 as bucket_last_6d,
        0 as users_30d_delta
    from account_weeks
    cross join key_features
    cross join usage_bounds
    where account_weeks.week_index <= usage_bounds.oldest_week_index

    union all

    select
        account_id,
        feature_key,
        week_index,
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
        feature_key,
        week_index,
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
        feature_key,
        week_index,
        max(is_panel_row) as is_panel_row,
        cast(sum(bucket_total) as bigint) as bucket_total,
        cast(sum(bucket_last_2d) as bigint) as bucket_last_2d,
        cast(sum(bucket_last_4d) as bigint) as bucket_last_4d,
        cast(sum(bucket_last_6d) as bigint) as bucket_last_6d,
        cast(sum(users_30d_delta) as bigint) as users_30d_delta
    from timeline_rows
    group by 1, 2, 3

),

windowed as (

    select
        account_id,
        feature_key,
        week_index,
        is_panel_row,
        {{ usage_window_sums('account_id, feature_key') }},
        sum(users_30d_delta) over (
            partition by account_id, feature_key
            order by week_index
            range between unbounded preceding and current row
        ) as active_users_30d
    from timeline

),

week_end_rows as (

    select
        windowed.account_id,
        as_of_dates.as_of_date,
        as_of_dates.is_current,
        key_features.event_name,
        cast(windowed.events_30d as bigint) as events_30d,
        cast(windowed.events_60d - windowed.events_30d as bigint)
            as events_prior_30d,
        cast(windowed.events_90d as bigint) as events_90d,
        cast(windowed.active_users_30d as bigint) as active_users_30d
    from windowed
    inner join as_of_dates
        on windowed.week_index = as_of_dates.week_index
    inner join key_features
        on windowed.feature_key = key_features.feature_key
    where windowed.is_panel_row = 1

),

direct_days as (

    -- The days each date computed directly reads (macros/behaviour.sql).
    select
        usage_daily_direct.account_id,
        key_features.feature_key,
        usage_daily_direct.user_id,
        usage_daily_direct.event_count,
        direct_dates.as_of_date,
        {{ dbt.datediff(
            'usage_daily_direct.activity_date',
            'direct_dates.as_of_date', 'day') }} as days_back
    from usage_daily_direct
    inner join key_features
        on usage_daily_direct.event_name = key_features.event_name
    cross join direct_bounds
    cross join direct_dates
    where {{ usage_direct_days_filter('usage_daily_direct') }}

),

direct_user_usage as (

    select
        as_of_date,
        account_id,
        feature_key,
        user_id,
        {{ usage_direct_user_sums() }}
    from direct_days
    group by 1, 2, 3, 4

),

direct_usage as (

    -- The windows of each date computed directly, read off its own days
    -- (the same figures as the buckets' windows).
    select
        as_of_date,
        account_id,
        feature_key,
        {{ usage_direct_window_sums() }}
    from direct_user_usage
    group by 1, 2, 3

),

direct_rows as (

    select
        direct_account_weeks.account_id,
        direct_account_weeks.as_of_date,
        direct_dates.is_current,
        key_features.event_name,
        {{ usage_direct_window_columns('direct_usage') }}
    from direct_account_weeks
    inner join direct_dates
        on direct_account_weeks.as_of_date = direct_dates.as_of_date
    cross join key_features
    left join direct_usage
        on
            direct_account_weeks.account_id = direct_usage.account_id
            and direct_account_weeks.as_of_date = direct_usage.as_of_date
            and key_features.feature_key = direct_usage.feature_key

),

panel_rows as (

    select * from week_end_rows
    union all
    select * from direct_rows

),

final as (

    select
        panel_rows.account_id,
        panel_rows.as_of_date,
        panel_rows.is_current,
        panel_rows.event_name,
        panel_rows.events_30d,
        panel_rows.events_prior_30d,
        panel_rows.events_90d,
        panel_rows.active_users_30d,
        recompute.usage_loaded_at,
        {{ run_started_at_timestamp() }} as loaded_at
    from panel_rows
    cross join recompute

)

select * from final
