{#-
    Islands of users' activity days, for "active in the trailing
    `window_days` days" counts (int_account_activation,
    int_goal_attainment_weekly). An activity day a counts the user on the
    days a .. a + window_days - 1. Two consecutive activity days at most
    `window_days` apart give adjoining ranges, so a run of such days (an
    island) counts the user from its first day through its last day +
    window_days - 1 without a break: +1 on the island's first day and -1 on
    its last day + window_days. The running sum of these over dates, per
    account, is the number of users active in the trailing window. Only
    island edges carry a change, so the days inside an island give no row.
-#}

{#- The CTEs user_day_islands, activity_edge_kinds and island_edges, this
    last one with account_id, edge_date and active_user_change (+1 or -1).
    Expects a CTE `user_days` with one row per account_id, user_id and
    activity_date (distinct). One lag/lead pass, over one named window,
    marks the first and last day of each island; the start and end edges
    come from a cross join with two constant rows (a union of two selects
    would read user_day_islands twice, and DuckDB would first materialize
    it whole). -#}
{% macro activity_island_ctes(user_days, window_days) -%}
user_day_islands as (

    select
        account_id,
        activity_date,
        (
            lag(activity_date) over user_days_in_order is null
            or {{ add_days(
                'lag(activity_date) over user_days_in_order',
                window_days) }}
            < activity_date
        ) as starts_island,
        (
            lead(activity_date) over user_days_in_order is null
            or {{ add_days('activity_date', window_days) }}
            < lead(activity_date) over user_days_in_order
        ) as ends_island
    from {{ user_days }}
    window user_days_in_order as (
        partition by account_id, user_id
        order by activity_date
    )

),

activity_edge_kinds as (

    select 1 as active_user_change
    union all
    select -1 as active_user_change

),

island_edges as (

    select
        user_day_islands.account_id,
        activity_edge_kinds.active_user_change,
        case
            when activity_edge_kinds.active_user_change = 1
                then user_day_islands.activity_date
            else {{ add_days('user_day_islands.activity_date', window_days) }}
        end as edge_date
    from user_day_islands
    cross join activity_edge_kinds
    where
        (
            activity_edge_kinds.active_user_change = 1
            and user_day_islands.starts_island
        )
        or (
            activity_edge_kinds.active_user_change = -1
            and user_day_islands.ends_island
        )

)
{%- endmacro %}
