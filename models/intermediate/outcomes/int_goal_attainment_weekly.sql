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

    Incremental on DuckDB (macros/outcomes.sql; a table on Spark). A run
    recomputes every goal at the as-of dates on or after R: the earliest
    day of int_usage_daily loaded since the stored mark usage_loaded_at
    (late usage included), a new as-of date, or the latest stored one
    (its is_current changes), whichever is first. The rows before R are
    kept: their judgement reads only usage dated before R. A goal whose
    goal_inputs_hash changed (its row, its account's subscriptions for a
    seat goal, this model's code or vars) or that is new is recomputed at
    every date, and the post-hook deletes the rows of goals changed or
    gone and of as-of dates the grid no longer has. Each unchanged goal's
    measure is carried from its stored row on the carry date P (the
    latest as-of date before R): an event count adds the days after that
    row's judgement date to its stored count; a judgement on the same date
    (a goal past due) keeps the stored value; active users read only the
    user days whose 30-day windows reach past P. So a daily run reads the
    last days of usage instead of every day since the goals' start. The
    plan is decided by a query before the model's (goal_attainment_plan),
    which gives the first days read as literals.
-#}
{%- set active_users_window_days = goal_active_users_window_days() -%}
{{ config(**goal_attainment_config()) }}
{%- set incremental = is_incremental_with_column('goal_inputs_hash') %}
{%- set version = goal_attainment_version() %}
{%- set goal_ctes -%}
success_goals as (

    select * from {{ ref('stg_raw__success_goals') }}

),

subscriptions as (

    select * from {{ ref('stg_raw__subscriptions') }}

),

{{ goal_input_hash_ctes(version) }}
{%- endset %}
{%- set recompute_ctes = goal_attainment_recompute(incremental) %}
{#- What this run recomputes, decided before its query. -#}
{%- set plan = goal_attainment_plan(
    incremental, goal_ctes ~ ',\n\n' ~ recompute_ctes,
    active_users_window_days) %}
with

{{ goal_ctes }},

{{ plan.recompute if plan else recompute_ctes }},

as_of_dates as (

    select * from {{ ref('int_as_of_dates') }}

),

-- The rollup is read by two import CTEs (event counts, active users): one
-- CTE read twice would be materialized whole (every daily row) first. In
-- an incremental run each reads only the days from the plan's first day.
usage_daily_events as (

    select
        account_id,
        event_name,
        activity_date,
        event_count
    from {{ ref('int_usage_daily') }}
    where {{ goal_usage_days_from(plan.events_from if plan else none) }}

),

usage_daily_users as (

    select
        account_id,
        user_id,
        activity_date
    from {{ ref('int_usage_daily') }}
    where
        user_id is not null
        and {{ goal_usage_days_from(plan.users_from if plan else none) }}

),

-- The stored rows: the goals and their hashes, and each goal's row on
-- the carry date (nothing in a full build).
stored_goals as (

    select distinct
        stored_rows.goal_id,
        stored_rows.goal_inputs_hash
    from {{ goal_attainment_stored(incremental) }} as stored_rows

),

carried as (

    select
        stored_rows.goal_id,
        stored_rows.goal_inputs_hash,
        stored_rows.judged_on_date as carried_judged_on_date,
        stored_rows.measured_value as carried_value,
        stored_rows.attainment as carried_attainment
    from {{ goal_attainment_stored(incremental) }} as stored_rows
    inner join recompute
        on stored_rows.as_of_date = recompute.carry_date

),

goal_states as (

    -- is_changed: new or changed goals, recomputed at every as-of date.
    -- The carried measure only for an unchanged goal.
    select
        supported_goals.*,
        stored_goals.goal_id is null as is_changed,
        carried.carried_judged_on_date,
        carried.carried_value,
        carried.carried_attainment
    from supported_goals
    left join stored_goals
        on
            supported_goals.goal_id = stored_goals.goal_id
            and supported_goals.goal_inputs_hash
            = stored_goals.goal_inputs_hash
    left join carried
        on
            supported_goals.goal_id = carried.goal_id
            and supported_goals.goal_inputs_hash = carried.goal_inputs_hash

),

goal_as_of_dates as (

    select
        goal_states.goal_id,
        goal_states.account_id,
        as_of_dates.as_of_date,
        as_of_dates.is_current,
        goal_states.metric,
        goal_states.metric_type,
        goal_states.event_name,
        goal_states.target_value,
        goal_states.start_date,
        goal_states.due_date,
        goal_states.goal_inputs_hash,
        goal_states.carried_judged_on_date,
        goal_states.carried_value,
        goal_states.carried_attainment,
        recompute.usage_loaded_at,
        case
            when as_of_dates.as_of_date < goal_states.due_date
                then as_of_dates.as_of_date
            else goal_states.due_date
        end as judged_on_date,
        as_of_dates.as_of_date >= goal_states.due_date as is_final
    from goal_states
    inner join as_of_dates
        on goal_states.start_date <= as_of_dates.as_of_date
    cross join recompute
    where
        goal_states.is_changed
        or as_of_dates.as_of_date >= recompute.recompute_from_date

),

-- Every as-of date after the due date shares one judgement: measure each
-- distinct (goal, judgement date) once. A judgement on the carried row's
-- date keeps its value; the others are measured from the day after the
-- carried judgement (adding to its count), or from the goal's start.
goal_judgements as (

    select distinct
        goal_id,
        account_id,
        metric_type,
        event_name,
        start_date,
        judged_on_date,
        carried_judged_on_date,
        carried_value,
        carried_attainment,
        coalesce(carried_judged_on_date = judged_on_date, false)
            as is_carried
    from goal_as_of_dates

),

event_goal_bounds as (

    select
        goal_id,
        account_id,
        event_name,
        coalesce(
            {{ add_days('carried_judged_on_date', 1) }}, start_date
        ) as first_counted_date,
        max(judged_on_date) as last_judged_on_date
    from goal_judgements
    where metric_type = 'event' and not is_carried
    group by 1, 2, 3, 4

),

-- Each goal's usage days (from its first counted day to its last
-- judgement) and its judgement dates in one timeline; the running sum of
-- event_count at a judgement row is the count from the first counted day
-- through that date. Usage of a day sorts before a judgement on the same
-- day (the as-of date is the end of the day). Each usage day is read once
-- per goal, not once per judgement date as a range join would.
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
            and event_goal_bounds.first_counted_date
            <= usage_daily_events.activity_date
            and event_goal_bounds.last_judged_on_date
            >= usage_daily_events.activity_date

    union all

    select
        goal_id,
        judged_on_date as timeline_date,
        1 as is_judgement,
        0 as event_count
    from goal_judgements
    where metric_type = 'event' and not is_carried

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
    where
        metric_type in ('active_users', 'seat_utilisation')
        and not is_carried

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
        goal_judgements.is_carried,
        goal_judgements.carried_attainment,
        case
            when goal_judgements.is_carried
                then goal_judgements.carried_value
            when goal_judgements.metric_type = 'event'
                then
                    coalesce(goal_judgements.carried_value, 0)
                    + coalesce(event_counts.event_count, 0)
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
            -- A judgement kept from the carried row keeps its attainment
            -- (computed from the unrounded measure).
            when measured_judgements.is_carried
                then measured_judgements.carried_attainment
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
        goal_status,
        goal_inputs_hash,
        usage_loaded_at,
        {{ run_started_at_timestamp() }} as loaded_at
    from goals_judged

)

select * from final
