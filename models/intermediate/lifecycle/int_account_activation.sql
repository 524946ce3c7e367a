{#-
    Activation milestone per account: the first day on which at least
    `lifecycle_activation_active_users` distinct users were active within
    the trailing `lifecycle_activation_window_days` days (that day
    included). Accounts that never reached it have no row.
    Computed without a range join: a user counts on day d iff one of their
    activity days a has a <= d < a + W (W = window days). Per user, activity
    days at most W days apart form islands whose union of [a, a + W) is
    [first day, last day + W). Each island adds +1 on its first day and -1
    on its last day + W (macros/activity.sql: one lag/lead pass marks the
    islands' first and last days); the running sum of these per account,
    over dates, is the number of users active in the trailing window. It
    only rises on island first days (activity days), so its first date
    reaching the threshold is the first activity day with enough trailing
    active users.
    Incremental on DuckDB (lifecycle_activation_config in
    macros/lifecycle.sql; a table on Spark). Let D be the earliest day of
    int_usage_daily loaded since the last build (loaded_at later than the
    stored high-water mark usage_loaded_at). Days before D are unchanged,
    so an account activated before D keeps its date; every other account
    is recomputed from the user days on or after D - W, the only days
    whose windows reach D or later (its counts before D, from fewer days,
    can only be lower, and were below the threshold). A change of either
    activation var recomputes every account, and so does a rollup whose
    every day was loaded since (rebuilt on its own: days may be gone). Each
    run rewrites every row with the new mark and the current vars; a
    post-hook deletes the rows it did not write (accounts no longer
    activated).
-#}
{%- set min_users = var('lifecycle_activation_active_users') -%}
{%- set window_days = var('lifecycle_activation_window_days') -%}
{{ config(**lifecycle_activation_config()) }}
{%- set incremental = usage_panel_is_incremental() %}
with

-- int_usage_daily is read by two import CTEs (the load marks, the user
-- days): one CTE read by two queries would be materialized whole first.
usage_loads as (

    select
        activity_date,
        loaded_at
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

{% if incremental -%}
stored as (

    select
        account_id,
        activation_date,
        usage_loaded_at,
        activation_active_users,
        activation_window_days
    from {{ this }}

),

stored_marks as (

    select
        max(usage_loaded_at) as usage_loaded_at,
        max(
            case
                when
                    activation_active_users <> {{ min_users }}
                    or activation_window_days <> {{ window_days }}
                    then 1
                else 0
            end
        ) as rule_changed
    from stored

),

{% endif -%}
recompute as (

    -- usage_loaded_at: the new high-water mark. recompute_from_date: D,
    -- or the first possible date when everything is recomputed (a full
    -- build, no stored rows, a changed var); null when nothing was loaded
    -- since the last build.
    select
        max(usage_loads.loaded_at) as usage_loaded_at,
        {% if incremental -%}
            case
                -- Every day of the rollup loaded since (it was rebuilt
                -- on its own, and may have lost days): all recomputed.
                when
                    max(stored_marks.usage_loaded_at) is null
                    or max(stored_marks.rule_changed) = 1
                    or min(usage_loads.loaded_at)
                    > max(stored_marks.usage_loaded_at)
                    then cast('1900-01-01' as date)
                else
                    min(
                        case
                            when
                                usage_loads.loaded_at
                                > stored_marks.usage_loaded_at
                                then usage_loads.activity_date
                        end
                    )
            end as recompute_from_date
        {%- else -%}
            cast('1900-01-01' as date) as recompute_from_date
        {%- endif %}
    from usage_loads
    {% if incremental -%}
        cross join stored_marks
    {%- endif %}

),

{% if incremental -%}
kept as (

    -- Activated before D: unchanged.
    select
        stored.account_id,
        stored.activation_date
    from stored
    cross join recompute
    where
        recompute.recompute_from_date is null
        or stored.activation_date < recompute.recompute_from_date

),

{% endif -%}
user_days as (

    select distinct
        usage_daily_users.account_id,
        usage_daily_users.user_id,
        usage_daily_users.activity_date
    from usage_daily_users
    {% if incremental -%}
        cross join recompute
        left join kept
            on usage_daily_users.account_id = kept.account_id
        where
            kept.account_id is null
            and usage_daily_users.activity_date >= {{ behaviour_days_before(
                'recompute.recompute_from_date', window_days) }}
    {%- endif %}

),

{{ activity_island_ctes('user_days', window_days) }},

daily_changes as (

    select
        account_id,
        edge_date,
        sum(active_user_change) as active_user_change
    from island_edges
    group by 1, 2

),

trailing_active_users as (

    select
        account_id,
        edge_date,
        sum(active_user_change) over (
            partition by account_id
            order by edge_date
            rows between unbounded preceding and current row
        ) as active_users
    from daily_changes

),

computed as (

    select
        account_id,
        min(edge_date) as activation_date
    from trailing_active_users
    where active_users >= {{ min_users }}
    group by 1

),

activations as (

    {% if incremental -%}
        select
            account_id,
            activation_date
        from kept

        union all

    {% endif -%}
    select
        account_id,
        activation_date
    from computed

),

final as (

    select
        activations.account_id,
        activations.activation_date,
        recompute.usage_loaded_at,
        cast({{ min_users }} as integer) as activation_active_users,
        cast({{ window_days }} as integer) as activation_window_days
    from activations
    cross join recompute

)

select * from final
