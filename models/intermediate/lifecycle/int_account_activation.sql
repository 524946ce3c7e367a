{#-
    Activation milestone per account: the first day on which at least
    `lifecycle_activation_active_users` distinct users were active within
    the trailing `lifecycle_activation_window_days` days (that day
    included). Accounts that never reached it have no row.
    Computed without a range join: a user counts on day d iff one of their
    activity days a has a <= d < a + W (W = window days). Per user, activity
    days at most W days apart form islands whose union of [a, a + W) is
    [first day, last day + W). Each island adds +1 on its first day and -1
    on its last day + W; the running sum of these per account, over dates,
    is the number of users active in the trailing window. It only rises on
    island first days (activity days), so its first date reaching the
    threshold is the first activity day with enough trailing active users.
-#}
{%- set min_users = var('lifecycle_activation_active_users') -%}
{%- set window_days = var('lifecycle_activation_window_days') -%}
with

usage_daily as (

    select * from {{ ref('int_usage_daily') }}

),

user_days as (

    select distinct
        account_id,
        user_id,
        activity_date
    from usage_daily
    where user_id is not null

),

user_day_gaps as (

    select
        account_id,
        user_id,
        activity_date,
        case
            when
                lag(activity_date) over (
                    partition by account_id, user_id
                    order by activity_date
                ) is null
                or {{ add_days(
                    'lag(activity_date) over ('
                    ~ ' partition by account_id, user_id'
                    ~ ' order by activity_date)',
                    window_days) }}
                < activity_date
                then 1
            else 0
        end as starts_island
    from user_days

),

user_day_islands as (

    select
        account_id,
        user_id,
        activity_date,
        sum(starts_island) over (
            partition by account_id, user_id
            order by activity_date
            rows between unbounded preceding and current row
        ) as island_number
    from user_day_gaps

),

islands as (

    select
        account_id,
        user_id,
        island_number,
        min(activity_date) as first_activity_date,
        max(activity_date) as last_activity_date
    from user_day_islands
    group by 1, 2, 3

),

island_edges as (

    select
        account_id,
        first_activity_date as edge_date,
        1 as active_user_change
    from islands

    union all

    select
        account_id,
        {{ add_days('last_activity_date', window_days) }} as edge_date,
        -1 as active_user_change
    from islands

),

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

final as (

    select
        account_id,
        min(edge_date) as activation_date
    from trailing_active_users
    where active_users >= {{ min_users }}
    group by 1

)

select * from final
