{#-
    The dates the segmentation is computed for: the as-of date (one row of
    stg_raw__as_of_date: var `as_of_date`, default the latest date in the raw
    data) and the week ends (var `week_ends_on`, default sunday) before it,
    back to the first account's creation or `history_weeks` weeks, whichever
    is later. The weekly grid does not depend on the day a run happens: a
    run on a Tuesday and one on the Friday after have the same week ends,
    and only the as-of date itself (`is_current`), when it is not a week
    end, is an open last period (`is_week_end` false) that the next run
    replaces. When the as-of date is a week end it is both.
    `week_index` counts weeks back from the latest week end on or before
    the as-of date (0 = that week end; the usage panels bucket days back
    from it, macros/behaviour.sql); the open as-of date has week_index 0 of
    its own (the usage panels compute it directly from its own days).
    Weeks are counted with a digits cross join (no compile-time query,
    unlike dbt.date_spine).
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

    -- The latest week end on or before the as-of date: days since a Monday
    -- (1970-01-05) modulo 7 is the ISO weekday minus 1 on any engine.
    select
        as_of.current_as_of_date,
        account_bounds.first_account_date,
        cast({{ dbt.dateadd(
            'day',
            '-1 * ' ~ as_of_days_since_week_end('as_of.current_as_of_date'),
            'as_of.current_as_of_date') }} as date) as last_week_end_date
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

week_ends as (

    select
        cast({{ dbt.dateadd(
            'day', '-7 * weeks_back.weeks_back',
            'bounds.last_week_end_date') }} as date) as as_of_date,
        true as is_week_end,
        weeks_back.weeks_back as week_index,
        bounds.current_as_of_date,
        bounds.first_account_date
    from weeks_back
    cross join bounds
    where weeks_back.weeks_back <= {{ var('history_weeks') }}

),

open_period as (

    select
        current_as_of_date as as_of_date,
        false as is_week_end,
        0 as week_index,
        current_as_of_date,
        first_account_date
    from bounds
    where last_week_end_date < current_as_of_date

),

grid as (

    select * from week_ends
    union all
    select * from open_period

),

final as (

    select
        as_of_date,
        as_of_date = current_as_of_date as is_current,
        is_week_end,
        cast(week_index as integer) as week_index
    from grid
    where
        as_of_date >= first_account_date
        or as_of_date = current_as_of_date

)

select * from final
