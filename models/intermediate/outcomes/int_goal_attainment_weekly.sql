{#-
    Success goals judged at every weekly as-of date: one row per goal and
    as_of_date on or after the goal's start_date (a goal that has not started
    yet has no row).

    Judgement date: min(as_of_date, due_date). The due date is inclusive and
    the as-of date means the end of that day, so on the due date the goal is
    final; after it, the goal stays judged at its due date (achieved or
    missed) and never changes again.

    Measured value at the judgement date, per metric (contract in
    models/staging/raw/_raw__sources.yml):
    - active_users: distinct non-null users with any usage in the 30 days
      ending on the judgement date (a level metric, measured at that date).
    - seat_utilisation: those active users / licensed seats on the judgement
      date (seats of subscriptions active that day: macro
      subscription_is_active_on, as int_account_value_weekly.licensed_seats
      uses), capped at 1 as the contract says 0-1; null without
      seats (then judged as 0).
    - event:<event_name>: event_count of that event summed from start_date
      through the judgement date (cumulative, so it only grows).
    Active users and seats are computed here rather than read from the weekly
    behaviour/value panels because a past goal is judged on its due date,
    which is usually not one of the weekly as-of dates. Event counts and
    active users are running sums along a timeline that holds the usage
    days (event goals) or the edges of users' activity islands
    (macros/activity.sql) together with the judgement dates, so each usage
    day is read once rather than once per judgement date whose window holds
    it (a range join).
    Goals with any other metric have no row (staging should quarantine them).
-#}
{%- set active_users_window_days = 30 -%}
with

success_goals as (

    select * from {{ ref('stg_raw__success_goals') }}

),

as_of_dates as (

    select * from {{ ref('int_as_of_dates') }}

),

-- The rollup is read by two import CTEs (event counts, active users): one
-- CTE read twice would be materialized whole (every daily row) first.
usage_daily_events as (

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
        activity_date
    from {{ ref('int_usage_daily') }}
    where user_id is not null

),

subscriptions as (

    select * from {{ ref('stg_raw__subscriptions') }}

),

goals_with_metric_type as (

    select
        goal_id,
        account_id,
        metric,
        case
            when metric = 'active_users' then 'active_users'
            when metric = 'seat_utilisation' then 'seat_utilisation'
            when metric like 'event:%' then 'event'
        end as metric_type,
        case
            when metric like 'event:%' then substring(metric, 7)
        end as event_name,
        target_value,
        start_date,
        due_date
    from success_goals

),

supported_goals as (

    select * from goals_with_metric_type
    where metric_type is not null

),

goal_as_of_dates as (

    select
        supported_goals.goal_id,
        supported_goals.account_id,
        as_of_dates.as_of_date,
        as_of_dates.is_current,
        supported_goals.metric,
        supported_goals.metric_type,
        supported_goals.event_name,
        supported_goals.target_value,
        supported_goals.start_date,
        supported_goals.due_date,
        case
            when as_of_dates.as_of_date < supported_goals.due_date
                then as_of_dates.as_of_date
            else supported_goals.due_date
        end as judged_on_date,
        as_of_dates.as_of_date >= supported_goals.due_date as is_final
    from supported_goals
    inner join as_of_dates
        on supported_goals.start_date <= as_of_dates.as_of_date

),

-- Every as-of date after the due date shares one judgement: measure each
-- distinct (goal, judgement date) once.
goal_judgements as (

    select distinct
        goal_id,
        account_id,
        metric_type,
        event_name,
        start_date,
        judged_on_date
    from goal_as_of_dates

),

event_goal_bounds as (

    select
        goal_id,
        account_id,
        event_name,
        start_date,
        max(judged_on_date) as last_judged_on_date
    from goal_judgements
    where metric_type = 'event'
    group by 1, 2, 3, 4

),

-- Each goal's usage days (from its start to its last judgement) and its
-- judgement dates in one timeline; the running sum of event_count at a
-- judgement row is the count from start_date through that date. Usage of
-- a day sorts before a judgement on the same day (the as-of date is the
-- end of the day). Each usage day is read once per goal, not once per
-- judgement date as a range join would.
event_goal_timeline as (

    select
        event_goal_bounds.goal_id,
        usage_daily_events.activity_date as timeline_date,
        0 as is_judgement,
        usage_daily_events.event_count
    from event_goal_bounds
    inner join usage_daily_events
        on
            event_goal_bounds.account_id = usage_daily_events.account_id
            and event_goal_bounds.event_name = usage_daily_events.event_name
            and event_goal_bounds.start_date <= usage_daily_events.activity_date
            and event_goal_bounds.last_judged_on_date
            >= usage_daily_events.activity_date

    union all

    select
        goal_id,
        judged_on_date as timeline_date,
        1 as is_judgement,
        0 as event_count
    from goal_judgements
    where metric_type = 'event'

),

event_goal_running_counts as (

    select
        goal_id,
        timeline_date,
        is_judgement,
        sum(event_count) over (
            partition by goal_id
            order by timeline_date, is_judgement
            rows between unbounded preceding and current row
        ) as event_count
    from event_goal_timeline

),

event_counts as (

    select
        goal_id,
        timeline_date as judged_on_date,
        event_count
    from event_goal_running_counts
    where is_judgement = 1

),

account_judgement_dates as (

    select distinct
        account_id,
        judged_on_date
    from goal_judgements
    where metric_type in ('active_users', 'seat_utilisation')

),

user_active_days as (

    select distinct
        usage_daily_users.account_id,
        usage_daily_users.user_id,
        usage_daily_users.activity_date
    from usage_daily_users
    -- Distinct accounts: the semi join hashes this list. With one row per
    -- judgement date (790,000 rows, 35,000 accounts at 100,000 accounts)
    -- its probe of 88 M user rows took 11 s of the model's 21 s; the model
    -- takes 13 s with one row per account (one run each, same warehouse).
    where
        usage_daily_users.account_id in (
            select distinct account_judgement_dates.account_id
            from account_judgement_dates
        )

),

-- Active users in the 30 days ending on each judgement date, from islands
-- of each user's activity days (macros/activity.sql): +1 where an island
-- starts, -1 30 days after it ends, summed along a timeline that also
-- holds the judgement dates (edges of a day sort before a judgement on
-- that day). Each user day is read once, not once per judgement date.
{{ activity_island_ctes('user_active_days', active_users_window_days) }},

active_user_timeline as (

    select
        account_id,
        edge_date as timeline_date,
        0 as is_judgement,
        sum(active_user_change) as active_user_change
    from island_edges
    group by 1, 2

    union all

    select
        account_id,
        judged_on_date as timeline_date,
        1 as is_judgement,
        0 as active_user_change
    from account_judgement_dates

),

active_user_running_counts as (

    select
        account_id,
        timeline_date,
        is_judgement,
        sum(active_user_change) over (
            partition by account_id
            order by timeline_date, is_judgement
            rows between unbounded preceding and current row
        ) as active_users
    from active_user_timeline

),

active_users_30d as (

    select
        account_id,
        timeline_date as judged_on_date,
        active_users
    from active_user_running_counts
    where is_judgement = 1

),

licensed_seats as (

    select
        account_judgement_dates.account_id,
        account_judgement_dates.judged_on_date,
        sum(subscriptions.seats) as seats
    from account_judgement_dates
    inner join subscriptions
        on
            account_judgement_dates.account_id = subscriptions.account_id
            -- Same rule as int_account_value_weekly.licensed_seats.
            and {{ subscription_is_active_on(
                'subscriptions', 'account_judgement_dates.judged_on_date') }}
    group by 1, 2

),

measured_judgements as (

    select
        goal_judgements.goal_id,
        goal_judgements.judged_on_date,
        case
            when goal_judgements.metric_type = 'event'
                then coalesce(event_counts.event_count, 0)
            when goal_judgements.metric_type = 'active_users'
                then coalesce(active_users_30d.active_users, 0)
            when
                goal_judgements.metric_type = 'seat_utilisation'
                and licensed_seats.seats > 0
                and coalesce(active_users_30d.active_users, 0)
                >= licensed_seats.seats
                then 1
            when
                goal_judgements.metric_type = 'seat_utilisation'
                and licensed_seats.seats > 0
                then
                    cast(
                        coalesce(active_users_30d.active_users, 0)
                        as {{ dbt.type_numeric() }}
                    )
                    / cast(licensed_seats.seats as {{ dbt.type_numeric() }})
        end as measured_value
    from goal_judgements
    left join event_counts
        on
            goal_judgements.goal_id = event_counts.goal_id
            and goal_judgements.judged_on_date = event_counts.judged_on_date
    left join active_users_30d
        on
            goal_judgements.account_id = active_users_30d.account_id
            and goal_judgements.judged_on_date
            = active_users_30d.judged_on_date
    left join licensed_seats
        on
            goal_judgements.account_id = licensed_seats.account_id
            and goal_judgements.judged_on_date = licensed_seats.judged_on_date

),

goals_measured as (

    select
        goal_as_of_dates.*,
        cast(
            measured_judgements.measured_value as {{ dbt.type_numeric() }}
        ) as measured_value,
        case
            when goal_as_of_dates.target_value > 0
                then cast(
                    coalesce(measured_judgements.measured_value, 0)
                    / goal_as_of_dates.target_value
                    as {{ dbt.type_numeric() }}
                )
        end as attainment,
        -- Days are counted inclusively (as-of = end of day): on the start
        -- date 1 day of the period has passed, on the due date all of it.
        {{ dbt.datediff(
            'goal_as_of_dates.start_date',
            'goal_as_of_dates.as_of_date',
            'day') }} + 1 as elapsed_days,
        {{ dbt.datediff(
            'goal_as_of_dates.start_date',
            'goal_as_of_dates.due_date',
            'day') }} + 1 as period_days
    from goal_as_of_dates
    inner join measured_judgements
        on
            goal_as_of_dates.goal_id = measured_judgements.goal_id
            and goal_as_of_dates.judged_on_date
            = measured_judgements.judged_on_date

),

goals_paced as (

    select
        *,
        cast(
            case
                when is_final or elapsed_days >= period_days then 1
                when elapsed_days <= 0 then 0
                else
                    cast(elapsed_days as {{ dbt.type_numeric() }})
                    / cast(period_days as {{ dbt.type_numeric() }})
            end as {{ dbt.type_numeric() }}
        ) as period_elapsed_share
    from goals_measured

),

goals_judged as (

    select
        *,
        case
            -- Nothing to reach: achieved from the start.
            when target_value <= 0 then 'achieved'
            when
                attainment >= {{ var('outcome_achieved_attainment') }}
                then 'achieved'
            -- On or after the (inclusive) due date the judgement is final.
            when is_final then 'missed'
            when
                attainment
                >= period_elapsed_share
                * {{ var('outcome_on_track_pace') }}
                then 'on_track'
            else 'at_risk'
        end as goal_status
    from goals_paced

),

final as (

    select
        goal_id,
        account_id,
        as_of_date,
        is_current,
        metric,
        metric_type,
        event_name,
        target_value,
        start_date,
        due_date,
        judged_on_date,
        is_final,
        measured_value,
        attainment,
        period_elapsed_share,
        goal_status
    from goals_judged

)

select * from final
