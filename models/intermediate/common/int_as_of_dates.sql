{#-
    The dates the segmentation is computed for: the as-of date (one row of
    stg_raw__as_of_date: var `as_of_date`, default the latest date in the raw
    data) and every 7th day before it, back to the first account's creation
    or `history_weeks` weeks, whichever is later. Dimension models compute
    one row per account and as-of date; `is_current` marks the as-of date
    itself; `week_index` counts the weeks back from it (0 = the as-of
    date). Weeks are counted with a digits cross join (no compile-time
    query, unlike dbt.date_spine).
-#}
with

accounts as (

    select created_at from {{ ref('stg_raw__accounts') }}

),

as_of as (

    select as_of_date as current_as_of_date
    from {{ ref('stg_raw__as_of_date') }}

),

account_bounds as (

    select min(cast(created_at as date)) as first_account_date
    from accounts

),

bounds as (

    select
        as_of.current_as_of_date,
        account_bounds.first_account_date
    from as_of
    cross join account_bounds

),

digits as (

    {{ as_of_digits() }}

),

weeks_back as (

    select
        ones.digit
        + 10 * tens.digit
        + 100 * hundreds.digit
        + 1000 * thousands.digit as weeks_back
    from digits as ones
    cross join digits as tens
    cross join digits as hundreds
    cross join digits as thousands

),

weekly as (

    select
        cast({{ dbt.dateadd(
            'day', '-7 * weeks_back.weeks_back',
            'bounds.current_as_of_date') }} as date) as as_of_date,
        weeks_back.weeks_back as week_index,
        bounds.current_as_of_date,
        bounds.first_account_date
    from weeks_back
    cross join bounds
    where weeks_back.weeks_back <= {{ var('history_weeks') }}

),

final as (

    select
        as_of_date,
        as_of_date = current_as_of_date as is_current,
        cast(week_index as integer) as week_index
    from weekly
    where
        as_of_date >= first_account_date
        or as_of_date = current_as_of_date

)

select * from final
