{#-
    The weekly spine: every account on every as-of date on or after the day
    it was created. The behaviour, support, NPS, billing, value, lifecycle
    and outcome panels are built on these rows.
-#}
with

accounts as (

    select
        account_id,
        created_at
    from {{ ref('stg_raw__accounts') }}

),

as_of_dates as (

    select
        as_of_date,
        is_current,
        is_week_end,
        week_index
    from {{ ref('int_as_of_dates') }}

),

final as (

    select
        accounts.account_id,
        as_of_dates.as_of_date,
        as_of_dates.is_current,
        as_of_dates.is_week_end,
        as_of_dates.week_index
    from accounts
    inner join as_of_dates
        on cast(accounts.created_at as date) <= as_of_dates.as_of_date

)

select * from final
