-- At the current as-of date the learned-before analysis sees every event,
-- so it must select the same indicators with the same lifts as
-- int_churn_indicator_lift. Returns the behaviours where they differ.
with

in_sample as (

    select
        behaviour_key,
        lift,
        is_selected
    from {{ ref('int_churn_indicator_lift') }}

),

rolling as (

    select
        rolling_lift.behaviour_key,
        rolling_lift.lift,
        rolling_lift.is_selected
    from {{ ref('int_churn_indicator_lift_rolling') }} as rolling_lift
    inner join {{ ref('int_as_of_dates') }} as as_of_dates
        on
            rolling_lift.cutoff_date = as_of_dates.as_of_date
            and as_of_dates.is_current = true

)

select
    coalesce(in_sample.behaviour_key, rolling.behaviour_key) as behaviour_key,
    in_sample.lift as in_sample_lift,
    rolling.lift as rolling_lift
from in_sample
full outer join rolling
    on in_sample.behaviour_key = rolling.behaviour_key
where
    coalesce(in_sample.is_selected, false)
    != coalesce(rolling.is_selected, false)
    or (
        coalesce(in_sample.is_selected, false) = true
        and in_sample.lift != rolling.lift
    )
