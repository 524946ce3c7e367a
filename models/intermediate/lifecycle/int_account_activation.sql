{#-
    Activation milestone per account: the first day on which at least
    `lifecycle_activation_active_users` distinct users were active within
    the trailing `lifecycle_activation_window_days` days (that day
    included). Accounts that never reached it have no row.
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

activity_days as (

    select distinct
        account_id,
        activity_date
    from user_days

),

trailing_active_users as (

    select
        activity_days.account_id,
        activity_days.activity_date,
        count(distinct user_days.user_id) as active_users
    from activity_days
    inner join user_days
        on
            activity_days.account_id = user_days.account_id
            and activity_days.activity_date >= user_days.activity_date
            and {{ add_days('activity_days.activity_date', -window_days) }}
            < user_days.activity_date
    group by 1, 2

),

final as (

    select
        account_id,
        min(activity_date) as activation_date
    from trailing_active_users
    where active_users >= {{ min_users }}
    group by 1

)

select * from final
