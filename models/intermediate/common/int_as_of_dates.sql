{#-
    The dates the segmentation is computed for: the as-of date (var
    `as_of_date`, default the latest date in the raw data) and every 7th day
    before it, back to the first account's creation or `history_weeks`
    weeks, whichever is later. Dimension models compute one row per account
    and as-of date; `is_current` marks the as-of date itself.
-#}
with

accounts as (

    select created_at from {{ ref('stg_raw__accounts') }}

),

bounds as (

    select
        {{ as_of_date() }} as current_as_of_date,
        min(cast(created_at as date)) as first_account_date
    from accounts

),

day_spine as (

    {{ dbt.date_spine(
        datepart='day',
        start_date=dbt.dateadd(
            'day', -7 * var('history_weeks'), as_of_date()),
        end_date=dbt.dateadd('day', 1, as_of_date()),
    ) }}

),

weekly as (

    select
        cast(day_spine.date_day as date) as as_of_date,
        bounds.current_as_of_date,
        bounds.first_account_date
    from day_spine
    cross join bounds
    where
        {{ dbt.datediff(
            'cast(day_spine.date_day as date)',
            'bounds.current_as_of_date',
            'day') }} % 7 = 0

),

final as (

    select
        as_of_date,
        as_of_date = current_as_of_date as is_current
    from weekly
    where
        as_of_date <= current_as_of_date
        and (
            as_of_date >= first_account_date
            or as_of_date = current_as_of_date
        )

)

select * from final
