{#-
    int_goal_attainment_weekly is incremental on DuckDB (delete+insert on
    goal_id and as_of_date; a table on Spark, where delete+insert is not
    available on the default file format). See the model's header for what
    a run recomputes. Every row keeps:
    - goal_inputs_hash: a 31-bit hash (row_print) of the goal's row, of
      the model's version (goal_attainment_version) and, for a
      seat_utilisation goal, of its account's subscriptions that start on
      or before the cut date (the latest as-of date before the current
      one: no kept row is judged later). A goal whose hash is new or
      changed is recomputed at every as-of date; the post-hook deletes the
      stored rows of a goal whose hash this run did not write (goals gone,
      changed, no longer started or supported). A change that keeps the
      hash (about one chance in two billion per changed goal) goes
      unnoticed until the goal changes again or a full refresh. When the
      cut date moves (a week closes), the seat goals of accounts with a
      subscription started in that week are recomputed whole.
    - usage_loaded_at: the high-water mark of int_usage_daily.loaded_at,
      as the usage panels keep it (usage_panel_recompute).
    - loaded_at: when the run that wrote the row started.
-#}
{% macro goal_attainment_config() %}
    {{ return(delete_insert_or_table_config(
        ['goal_id', 'as_of_date'], "{{ goal_attainment_prune() }}")) }}
{% endmacro %}

{#- The window of the active_users metric, in days ending on the
    judgement date. -#}
{% macro goal_active_users_window_days() %}
    {{ return(30) }}
{% endmacro %}

{#- What decides a row besides its inputs: the model's code, the vars it
    reads and the expanded macros it calls. -#}
{% macro goal_attainment_version() %}
    {%- set window_days = goal_active_users_window_days() -%}
    {{ return(model_code_md5(
        var('outcome_achieved_attainment') ~ '|'
        ~ var('outcome_on_track_pace') ~ '|'
        ~ activity_island_ctes('user_days', window_days)
        ~ subscription_is_active_on('subscriptions', 'judged_on_date')
        ~ add_days('activity_date', 1)
        ~ dbt.datediff('start_date', 'due_date', 'day')
        ~ dbt.type_numeric())) }}
{% endmacro %}

{#- The CTEs goals_with_metric_type, supported_goals (the goals with a
    supported metric, and goal_inputs_hash) and their helpers, reading the
    CTEs `success_goals` and `subscriptions` (the staged tables). -#}
{% macro goal_input_hash_ctes(version) -%}
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

-- The hash's cut date: the latest as-of date before the current one. A
-- run keeps rows judged on or before it at most (see the model).
goal_hash_cut as (

    select max(hash_grid.as_of_date) as cut_date
    from {{ ref('int_as_of_dates') }} as hash_grid
    where
        hash_grid.as_of_date < (
            select max(current_grid.as_of_date)
            from {{ ref('int_as_of_dates') }} as current_grid
        )

),

-- The seats of a seat_utilisation goal come from its account's
-- subscriptions: the rows of those starting on or before the cut date
-- (the only ones a kept row's seats can read) are part of its hash.
account_subscription_prints as (

    select
        subscriptions.account_id,
        sum({{ row_print(
            'subscriptions.subscription_id, subscriptions.seats,'
            ~ ' subscriptions.start_date, subscriptions.end_date') }})
            as subscriptions_print
    from subscriptions
    inner join goal_hash_cut
        on subscriptions.start_date <= goal_hash_cut.cut_date
    group by 1

),

supported_goals as (

    select
        goals_with_metric_type.*,
        {{ row_print(
            "'" ~ version ~ "', goals_with_metric_type.goal_id,"
            ~ " goals_with_metric_type.account_id,"
            ~ " goals_with_metric_type.metric,"
            ~ " goals_with_metric_type.target_value,"
            ~ " goals_with_metric_type.start_date,"
            ~ " goals_with_metric_type.due_date,"
            ~ " case when goals_with_metric_type.metric_type"
            ~ " = 'seat_utilisation' then"
            ~ " coalesce(account_subscription_prints.subscriptions_print, 0)"
            ~ " else 0 end") }} as goal_inputs_hash
    from goals_with_metric_type
    left join account_subscription_prints
        on goals_with_metric_type.account_id
        = account_subscription_prints.account_id
    where goals_with_metric_type.metric_type is not null

)
{%- endmacro %}

{#- Post-hook (runs after the insert, in the model's transaction): delete
    the stored rows of as-of dates the grid no longer has, and the rows of
    a goal whose goal_inputs_hash no row written by this run has. Every run
    writes each goal's row on the current as-of date (it recomputes from
    that date at the latest), so this deletes the rows of goals gone (or
    no longer started or supported) and the old rows of goals changed. -#}
{% macro goal_attainment_prune() %}
    {% if is_incremental() %}
        delete from {{ this }}
        where
            as_of_date not in (
                select grid.as_of_date
                from {{ ref('int_as_of_dates') }} as grid
            )
            or not exists (
                select 1
                from {{ this }} as written
                where
                    written.loaded_at = {{ run_started_at_timestamp() }}
                    and written.goal_id = {{ this }}.goal_id
                    and written.goal_inputs_hash = {{ this }}.goal_inputs_hash
            )
    {% endif %}
{% endmacro %}

{#- The filter of a read of int_usage_daily from the plan's first day
    (YYYY-MM-DD, a literal DuckDB prunes the scan with), or none: every
    day. -#}
{% macro goal_usage_days_from(first_day) -%}
    {%- if first_day -%}
        activity_date >= cast({{ cs_sql_string(first_day) }} as date)
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}

{#- The stored rows an incremental run reads ({{ this }}); in a full build
    an empty relation with the same columns (read from the CTE
    supported_goals). -#}
{% macro goal_attainment_stored(incremental) -%}
    {%- if incremental -%}
        {{ this }}
    {%- else -%}
        (
            select
                goal_id,
                goal_inputs_hash,
                start_date as as_of_date,
                start_date as judged_on_date,
                cast(null as {{ dbt.type_numeric() }}) as measured_value,
                cast(null as {{ dbt.type_numeric() }}) as attainment
            from supported_goals
            where false
        )
    {%- endif -%}
{%- endmacro %}

{#-
    The CTEs that decide what a run of int_goal_attainment_weekly
    recomputes, ending in `recompute` (one row): usage_loaded_at, the new
    high-water mark; recompute_from_date (R), the earliest as-of date
    recomputed for every goal; carry_date (P), the latest as-of date before
    R, whose stored rows carry each unchanged goal's measure (null: none,
    everything is measured from the goals' start). Reads the CTE
    supported_goals. An incremental run recomputes from the least of: the
    earliest day of int_usage_daily loaded since the stored mark, the
    first as-of date (on or after a goal's start) with no stored row, the
    latest stored as-of date (its is_current changes) and the current one;
    every date when the rollup was loaded whole since (rebuilt on its own).
-#}
{% macro goal_attainment_recompute(incremental) -%}
goal_usage_loads as (

    select
        activity_date,
        loaded_at
    from {{ ref('int_usage_daily') }}

),

{% if incremental -%}
goal_grid as (

    select as_of_date
    from {{ ref('int_as_of_dates') }}

),

goal_stored_dates as (

    select
        as_of_date,
        max(usage_loaded_at) as usage_loaded_at
    from {{ this }}
    group by 1

),

goal_stored_marks as (

    select
        max(usage_loaded_at) as usage_loaded_at,
        max(as_of_date) as latest_stored_date
    from goal_stored_dates

),

goal_new_loads as (

    select
        max(goal_usage_loads.loaded_at) as usage_loaded_at,
        min(goal_usage_loads.loaded_at) as earliest_loaded_at,
        min(
            case
                when
                    goal_stored_marks.usage_loaded_at is null
                    or goal_usage_loads.loaded_at
                    > goal_stored_marks.usage_loaded_at
                    then goal_usage_loads.activity_date
            end
        ) as first_loaded_date
    from goal_usage_loads
    cross join goal_stored_marks

),

goal_added_dates as (

    -- As-of dates that should have rows (a goal started on or before
    -- them) and have none stored.
    select min(goal_grid.as_of_date) as first_added_date
    from goal_grid
    left join goal_stored_dates
        on goal_grid.as_of_date = goal_stored_dates.as_of_date
    where
        goal_stored_dates.as_of_date is null
        and goal_grid.as_of_date >= (
            select min(supported_goals.start_date) from supported_goals
        )

),

goal_grid_bounds as (

    select max(as_of_date) as current_as_of_date
    from goal_grid

),

goal_recompute_from as (

    select
        goal_new_loads.usage_loaded_at,
        case
            when
                goal_stored_marks.latest_stored_date is null
                or goal_new_loads.earliest_loaded_at
                > goal_stored_marks.usage_loaded_at
                then cast('1900-01-01' as date)
            else least(
                coalesce(
                    goal_new_loads.first_loaded_date,
                    goal_grid_bounds.current_as_of_date
                ),
                coalesce(
                    goal_added_dates.first_added_date,
                    goal_grid_bounds.current_as_of_date
                ),
                goal_stored_marks.latest_stored_date,
                goal_grid_bounds.current_as_of_date
            )
        end as recompute_from_date
    from goal_new_loads
    cross join goal_stored_marks
    cross join goal_added_dates
    cross join goal_grid_bounds

),

recompute as (

    select
        goal_recompute_from.usage_loaded_at,
        goal_recompute_from.recompute_from_date,
        max(goal_grid.as_of_date) as carry_date
    from goal_recompute_from
    left join goal_grid
        on goal_grid.as_of_date < goal_recompute_from.recompute_from_date
    group by 1, 2

)
{%- else -%}
recompute as (

    select
        max(loaded_at) as usage_loaded_at,
        cast('1900-01-01' as date) as recompute_from_date,
        cast(null as date) as carry_date
    from goal_usage_loads

)
{%- endif %}
{%- endmacro %}

{#-
    The plan of an incremental run of int_goal_attainment_weekly, decided
    by a query run before the model's own (as usage_panel_plan): none in a
    full build, in parsing and in a unit test (the model then computes
    `recompute` itself). Else a dict:
    - recompute: the CTE `recompute` with the plan's values as literals;
    - events_from, users_from: the first day of int_usage_daily the run
      reads for event counts and for active users (YYYY-MM-DD; none: every
      day). A goal with a carried measure reads the days after its carry
      date's judgement; one without (new, changed, or started after the
      carry date) reads from its start (users: the 29 days before too).
    `plan_ctes`: the model's CTEs the plan reads (the staged goals and
    subscriptions, supported_goals, and the recompute CTEs).
-#}
{% macro goal_attainment_plan(incremental, plan_ctes, window_days) %}
    {%- if not incremental_plan_can_run(incremental) -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set plan_query -%}
with

{{ plan_ctes }},

plan_carried as (

    select
        stored.goal_id,
        stored.goal_inputs_hash
    from {{ this }} as stored
    inner join recompute
        on stored.as_of_date = recompute.carry_date

),

plan_uncarried as (

    -- Goals measured from their start: no stored row with the same hash
    -- on the carry date.
    select
        min(
            case
                when supported_goals.metric_type = 'event'
                    then supported_goals.start_date
            end
        ) as event_start_date,
        min(
            case
                when supported_goals.metric_type <> 'event'
                    then supported_goals.start_date
            end
        ) as level_start_date
    from supported_goals
    left join plan_carried
        on
            supported_goals.goal_id = plan_carried.goal_id
            and supported_goals.goal_inputs_hash
            = plan_carried.goal_inputs_hash
    where plan_carried.goal_id is null

)

select
    cast(recompute.usage_loaded_at as {{ dbt.type_string() }})
        as usage_loaded_at,
    cast(recompute.recompute_from_date as {{ dbt.type_string() }})
        as recompute_from_date,
    cast(recompute.carry_date as {{ dbt.type_string() }}) as carry_date,
    cast(
        least(
            {{ add_days('recompute.carry_date', 1) }},
            plan_uncarried.event_start_date
        ) as {{ dbt.type_string() }}
    ) as events_from,
    cast(
        least(
            {{ add_days('recompute.carry_date', 1 - window_days) }},
            {{ add_days('plan_uncarried.level_start_date', - window_days) }}
        ) as {{ dbt.type_string() }}
    ) as users_from
from recompute
cross join plan_uncarried
    {%- endset -%}
    {%- set row = run_query(plan_query).rows[0] -%}
    {%- set recompute -%}
recompute as (

    -- Decided by the plan query run before this one (goal_attainment_plan).
    select
        cast({{ 'null' if row[0] is none else cs_sql_string(row[0]) }}
            as {{ dbt.type_timestamp() }}) as usage_loaded_at,
        cast({{ cs_sql_string(row[1]) }} as date) as recompute_from_date,
        cast({{ 'null' if row[2] is none else cs_sql_string(row[2]) }}
            as date) as carry_date

)
    {%- endset -%}
    {{ log(this.identifier ~ ": recomputes the as-of dates from " ~ row[1]
        ~ " (carry date " ~ row[2] ~ "; usage read from " ~ row[3]
        ~ " (events), " ~ row[4] ~ " (users))", info=false) }}
    {#- Without a carry date every goal is measured from its start. -#}
    {{ return({
        'recompute': recompute,
        'events_from': row[3] if row[2] is not none else none,
        'users_from': row[4] if row[2] is not none else none,
    }) }}
{% endmacro %}
