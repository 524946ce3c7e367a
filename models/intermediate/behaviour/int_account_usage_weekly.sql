{#-
    Usage part of the behaviour panel: one row per row of the weekly spine
    (int_account_weeks). Windows end on the as-of date inclusive:
    30d = days as_of-29..as_of, prior 30d = as_of-59..as_of-30,
    90d = as_of-89..as_of. Daily rollups (int_usage_daily) are summed into
    weekly buckets once; the windows are then sums over ranges of buckets
    and the distinct users a running total of coverage intervals (both in
    macros/behaviour.sql), so no daily row is copied to several as-of dates.
    The last activity date is a running max over the buckets on or before
    each as-of date. The buckets are those of the week ends
    (int_as_of_dates.is_week_end), counted back from the latest one.
    The open as-of date (not a week end, an open last period) is computed
    directly, per account, from the daily rows of its 90 days (summed per
    user, then per account: small aggregates), and its last activity date
    from those days or, without any, from one grouped read of every earlier
    day: more reads of the rollup instead of a second grid of buckets
    (which cost 25 s more at 100,000 accounts).
    Incremental on DuckDB (usage_panel_config, macros/behaviour.sql): a run
    recomputes the as-of dates on or after the earliest day loaded into
    int_usage_daily since the panel's last build (or a new row of the
    spine), and the open date; it reads the days the windows of those week
    ends reach (usage_first_day_reached), and the last activity date
    before them from one grouped read of every earlier day. A full build
    is the same query from the first as-of date. When the run recomputes
    one week end only (a daily run with no late usage), that week end is
    computed like the open date, from its own 90 days, and the grid of
    buckets reads nothing (usage_panel_plan, macros/behaviour.sql).
-#}
{{ config(**usage_panel_config()) }}
{%- set incremental = usage_panel_is_incremental() %}
{%- set recompute_ctes = usage_panel_recompute(incremental) %}
{#- What this run recomputes, decided before its query. -#}
{%- set plan = usage_panel_plan(incremental, recompute_ctes) %}
{%- set direct_week_end = plan.direct_week_end if plan else none %}
{#- The dates computed directly, as literals when the plan gives them. -#}
{%- set direct_dates = plan.direct_dates if plan else none %}
with

-- The spine and the rollup are read by one import CTE per use (the spine
-- for the week ends and the dates computed directly, the rollup for
-- accounts, users, the direct dates' days and the last activity): one CTE
-- read by two queries would be materialized whole (every daily row) first.
account_weeks as (

    select
        account_id,
        as_of_date,
        week_index
    from {{ ref('int_account_weeks') }}
    where is_week_end

),

{{ plan.recompute if plan else recompute_ctes }},

direct_account_weeks as (

    select
        account_id,
        as_of_date
    from {{ ref('int_account_weeks') }}
    where {{ usage_is_direct_date(direct_week_end) }}

),

usage_daily_accounts as (

    select
        account_id,
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
        activity_date,
        event_count
    from {{ ref('int_usage_daily') }}
    where {{ usage_direct_days_where(direct_dates) }}

),

usage_daily_last as (

    select
        account_id,
        activity_date
    from {{ ref('int_usage_daily') }}

),

as_of_dates as (

    select
        as_of_date,
        is_week_end,
        week_index
    from {{ ref('int_as_of_dates') }}

),

latest_week_end as (

    -- The end of the week ends' grid (week_index 0): the buckets count
    -- back from it.
    select max(as_of_date) as week_end_date
    from as_of_dates
    where is_week_end and week_index = 0

),

recomputed_week_ends as (

    -- The oldest week end this run recomputes on the grid (null when none
    -- is, or when it is computed directly).
    select max(as_of_dates.week_index) as oldest_week_index
    from as_of_dates
    cross join recompute
    where
        as_of_dates.is_week_end
        and as_of_dates.as_of_date >= recompute.recompute_from_date
        and {{ 'false' if direct_week_end else 'true' }}

),

usage_bounds as (

    -- The days the windows of the recomputed week ends reach.
    select
        latest_week_end.week_end_date,
        recomputed_week_ends.oldest_week_index,
        {{ usage_first_day_reached(
            'latest_week_end.week_end_date',
            'recomputed_week_ends.oldest_week_index') }} as first_usage_date
    from latest_week_end
    cross join recomputed_week_ends

),

direct_dates as (

    -- The as-of dates computed directly from their own days: the open date
    -- (none when the as-of date is a week end) and, when this run
    -- recomputes one week end only, that week end (usage_panel_plan).
    select as_of_date
    from as_of_dates
    where {{ usage_is_direct_date(direct_week_end) }}

),

direct_bounds as (

    -- One row (a one-row aggregate: DuckDB filters the days by it in a
    -- nested loop with one row, where a zero-or-one-row CTE made a merge
    -- join that sorted every day first, 5 s at 100,000 accounts).
    {{ usage_direct_bounds() }}

),

recomputed_account_weeks as (

    select
        account_weeks.account_id,
        account_weeks.as_of_date,
        account_weeks.week_index
    from account_weeks
    cross join usage_bounds
    where account_weeks.week_index <= usage_bounds.oldest_week_index

),

account_days as (

    select
        usage_daily_accounts.account_id,
        usage_daily_accounts.activity_date,
        usage_daily_accounts.event_count,
        {{ dbt.datediff(
            'usage_daily_accounts.activity_date',
            'usage_bounds.week_end_date', 'day') }} as days_back
    from usage_daily_accounts
    cross join usage_bounds
    where
        usage_daily_accounts.activity_date
        between usage_bounds.first_usage_date
        and usage_bounds.week_end_date

),

user_days as (

    select
        usage_daily_users.account_id,
        usage_daily_users.user_id,
        {{ dbt.datediff(
            'usage_daily_users.activity_date',
            'usage_bounds.week_end_date', 'day') }} as days_back
    from usage_daily_users
    cross join usage_bounds
    where
        usage_daily_users.activity_date
        between usage_bounds.first_usage_date
        and usage_bounds.week_end_date

),

account_buckets as (

    select
        account_id,
        {{ usage_week_index('days_back') }} as week_index,
        {{ usage_bucket_sums('event_count', 'days_back') }},
        max(activity_date) as last_activity_date
    from account_days
    group by 1, 2

),

user_buckets as (

    select
        account_id,
        user_id,
        {{ usage_week_index('days_back') }} as week_index,
        min(days_back % 7) as min_days_back_in_bucket
    from user_days
    group by 1, 2, 3

),

ordered_user_buckets as (

    select
        account_id,
        week_index,
        min_days_back_in_bucket,
        lag(week_index) over user_order as previous_week_index,
        lead(week_index) over user_order as next_week_index,
        lead(min_days_back_in_bucket) over user_order
            as next_min_days_back_in_bucket
    from user_buckets
    window user_order as (
        partition by account_id, user_id
        order by week_index
    )

),

user_coverage as (

    select
        account_id,
        week_index,
        {{ usage_user_coverage_start(3, '<= 1') }} as start_30d,
        {{ usage_user_coverage_start(11, '<= 5') }} as start_90d,
        {{ usage_user_coverage_starts_island(3, '<= 1') }}
            as starts_island_30d,
        {{ usage_user_coverage_starts_island(11, '<= 5') }}
            as starts_island_90d,
        {{ usage_user_coverage_ends_island(3, '<= 1') }} as ends_island_30d,
        {{ usage_user_coverage_ends_island(11, '<= 5') }} as ends_island_90d
    from ordered_user_buckets

),

coverage_edges as (

    -- Each coverage interval gives up to four rows of user_deltas (30-day
    -- and 90-day start and end), made by a cross join with these four rows:
    -- a union of four selects would read user_coverage four times, and
    -- DuckDB would first materialize it whole (a CTE read more than once).
    select
        1 as edge,
        1 as users_30d_delta,
        0 as users_90d_delta
    union all
    select
        2 as edge,
        0 as users_30d_delta,
        1 as users_90d_delta
    union all
    select
        3 as edge,
        -1 as users_30d_delta,
        0 as users_90d_delta
    union all
    select
        4 as edge,
        0 as users_30d_delta,
        -1 as users_90d_delta

),

user_deltas as (

    -- +1 where a user's coverage starts, -1 after the bucket it ends on
    -- (both windows' coverage of a bucket ends on the bucket itself); only
    -- at the ends of islands (macros/behaviour.sql).
    select
        user_coverage.account_id,
        coverage_edges.users_30d_delta,
        coverage_edges.users_90d_delta,
        case coverage_edges.edge
            when 1 then user_coverage.start_30d
            when 2 then user_coverage.start_90d
            else user_coverage.week_index + 1
        end as week_index
    from user_coverage
    cross join coverage_edges
    where
        (coverage_edges.edge = 1 and user_coverage.starts_island_30d)
        or (coverage_edges.edge = 2 and user_coverage.starts_island_90d)
        or (coverage_edges.edge = 3 and user_coverage.ends_island_30d)
        or (coverage_edges.edge = 4 and user_coverage.ends_island_90d)

),

last_activity as (

    -- Per account: the last activity before the days the buckets read
    -- (the running max of last_activity_date starts from it), and the
    -- last activity before the days the dates computed directly read (the
    -- last activity of such a date without usage in those days).
    select
        usage_daily_last.account_id,
        max(
            case
                when
                    usage_daily_last.activity_date
                    < usage_bounds.first_usage_date
                    then usage_daily_last.activity_date
            end
        ) as earlier_activity_date,
        max(
            case
                when
                    usage_daily_last.activity_date
                    < direct_bounds.first_day
                    then usage_daily_last.activity_date
            end
        ) as before_direct_activity_date
    from usage_daily_last
    cross join usage_bounds
    cross join direct_bounds
    where
        usage_daily_last.activity_date < usage_bounds.first_usage_date
        or usage_daily_last.activity_date < direct_bounds.first_day
    group by 1

),

timeline_rows as (

    select
        account_id,
        week_index,
        as_of_date,
        1 as is_panel_row,
        0 as bucket_total,
        0 as bucket_last_2d,
        0 as bucket_last_4d,
        0 as bucket_last_6d,
        cast(null as date) as last_activity_date,
        0 as users_30d_delta,
        0 as users_90d_delta
    from recomputed_account_weeks

    union all

    -- The last activity before the buckets read, one week index older
    -- than the oldest bucket (usage_first_day_reached: K + 13).
    select
        last_activity.account_id,
        usage_bounds.oldest_week_index + 14 as week_index,
        cast(null as date) as as_of_date,
        0 as is_panel_row,
        0 as bucket_total,
        0 as bucket_last_2d,
        0 as bucket_last_4d,
        0 as bucket_last_6d,
        last_activity.earlier_activity_date as last_activity_date,
        0 as users_30d_delta,
        0 as users_90d_delta
    from last_activity
    cross join usage_bounds
    where last_activity.earlier_activity_date is not null

    union all

    select
        account_id,
        week_index,
        cast(null as date) as as_of_date,
        0 as is_panel_row,
        bucket_total,
        bucket_last_2d,
        bucket_last_4d,
        bucket_last_6d,
        last_activity_date,
        0 as users_30d_delta,
        0 as users_90d_delta
    from account_buckets

    union all

    select
        account_id,
        week_index,
        cast(null as date) as as_of_date,
        0 as is_panel_row,
        0 as bucket_total,
        0 as bucket_last_2d,
        0 as bucket_last_4d,
        0 as bucket_last_6d,
        cast(null as date) as last_activity_date,
        users_30d_delta,
        users_90d_delta
    from user_deltas

),

timeline as (

    -- One row per account and week: the range-frame windows below give
    -- all rows of one week_index the same values, so summing them first
    -- changes no result and leaves the windows a third of the rows.
    select
        account_id,
        week_index,
        max(as_of_date) as as_of_date,
        max(is_panel_row) as is_panel_row,
        sum(bucket_total) as bucket_total,
        sum(bucket_last_2d) as bucket_last_2d,
        sum(bucket_last_4d) as bucket_last_4d,
        sum(bucket_last_6d) as bucket_last_6d,
        max(last_activity_date) as last_activity_date,
        sum(users_30d_delta) as users_30d_delta,
        sum(users_90d_delta) as users_90d_delta
    from timeline_rows
    group by 1, 2

),

windowed as (

    select
        account_id,
        week_index,
        as_of_date,
        is_panel_row,
        {{ usage_window_sums('account_id') }},
        max(last_activity_date) over (
            partition by account_id
            order by week_index
            range between current row and unbounded following
        ) as last_activity_date,
        sum(users_30d_delta) over (
            partition by account_id
            order by week_index
            range between unbounded preceding and current row
        ) as active_users_30d,
        sum(users_90d_delta) over (
            partition by account_id
            order by week_index
            range between unbounded preceding and current row
        ) as active_users_90d
    from timeline

),

week_end_rows as (

    select
        account_id,
        as_of_date,
        cast(events_30d as bigint) as events_30d,
        cast(events_60d - events_30d as bigint) as events_prior_30d,
        cast(events_90d as bigint) as events_90d,
        cast(active_users_30d as bigint) as active_users_30d,
        cast(active_users_90d as bigint) as active_users_90d,
        last_activity_date
    from windowed
    where is_panel_row = 1

),

direct_days as (

    -- The days each date computed directly reads (macros/behaviour.sql).
    select
        usage_daily_direct.account_id,
        usage_daily_direct.user_id,
        usage_daily_direct.event_count,
        direct_dates.as_of_date,
        {{ dbt.datediff(
            'usage_daily_direct.activity_date',
            'direct_dates.as_of_date', 'day') }} as days_back
    from usage_daily_direct
    cross join direct_bounds
    cross join direct_dates
    where {{ usage_direct_days_filter('usage_daily_direct') }}

),

direct_user_usage as (

    select
        as_of_date,
        account_id,
        user_id,
        {{ usage_direct_user_sums() }}
    from direct_days
    group by 1, 2, 3

),

direct_usage as (

    -- The windows of each date computed directly, read off its own days
    -- (the same figures as the buckets' windows).
    select
        as_of_date,
        account_id,
        {{ usage_direct_window_sums() }}
    from direct_user_usage
    group by 1, 2

),

direct_rows as (

    select
        direct_account_weeks.account_id,
        direct_account_weeks.as_of_date,
        {{ usage_direct_window_columns('direct_usage') }},
        cast(coalesce(direct_usage.active_users_90d, 0) as bigint)
            as active_users_90d,
        coalesce(
            cast({{ dbt.dateadd(
                'day', '-1 * direct_usage.min_days_back',
                'direct_account_weeks.as_of_date') }} as date),
            last_activity.before_direct_activity_date
        ) as last_activity_date
    from direct_account_weeks
    left join direct_usage
        on
            direct_account_weeks.account_id = direct_usage.account_id
            and direct_account_weeks.as_of_date = direct_usage.as_of_date
    left join last_activity
        on direct_account_weeks.account_id = last_activity.account_id

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
        panel_rows.events_30d,
        panel_rows.events_prior_30d,
        panel_rows.events_90d,
        panel_rows.last_activity_date,
        panel_rows.active_users_30d,
        panel_rows.active_users_90d,
        recompute.usage_loaded_at
    from panel_rows
    cross join recompute

)

select * from final
