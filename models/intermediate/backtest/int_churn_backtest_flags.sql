{#-
    The learned churn flags each judged account carried on each as-of date
    (int_churn_backtest_population), two ways (learning_mode):
    - in_sample: the flags of the segments as built today
      (int_account_behaviour_flags_weekly): indicators and lifts learned
      from ALL the history, including churns after the judged date. This is
      what the segments show, but judging it against those churns leaks
      the future.
    - learned_before: indicators and lifts learned only from the events on
      or before the latest re-learning cut-off on or before the judged date
      (int_churn_indicator_lift_rolling). Dates before the first cut-off
      with enough churned accounts carry no flag: nothing was learned yet.
    One row per account, as-of date, mode and flag carried.
-#}
with

population as (

    select
        account_id,
        as_of_date
    from {{ ref('int_churn_backtest_population') }}

),

in_sample_flags as (

    select
        account_id,
        as_of_date,
        behaviour_key,
        lift
    from {{ ref('int_account_behaviour_flags_weekly') }}

),

candidates as (

    select
        account_id,
        as_of_date,
        behaviour_key
    from {{ ref('int_account_behaviour_candidates_weekly') }}

),

rolling_lift as (

    select
        cutoff_date,
        behaviour_key,
        lift
    from {{ ref('int_churn_indicator_lift_rolling') }}
    where is_selected = true

),

cutoffs as (

    select distinct cutoff_date
    from {{ ref('int_churn_indicator_lift_rolling') }}

),

as_of_cutoffs as (

    select
        population_dates.as_of_date,
        max(cutoffs.cutoff_date) as cutoff_date
    from (select distinct as_of_date from population) as population_dates
    inner join cutoffs
        on population_dates.as_of_date >= cutoffs.cutoff_date
    group by 1

),

in_sample as (

    select
        population.account_id,
        population.as_of_date,
        'in_sample' as learning_mode,
        in_sample_flags.behaviour_key,
        in_sample_flags.lift
    from population
    inner join in_sample_flags
        on
            population.account_id = in_sample_flags.account_id
            and population.as_of_date = in_sample_flags.as_of_date

),

learned_before as (

    select
        population.account_id,
        population.as_of_date,
        'learned_before' as learning_mode,
        candidates.behaviour_key,
        rolling_lift.lift
    from population
    inner join as_of_cutoffs
        on population.as_of_date = as_of_cutoffs.as_of_date
    inner join candidates
        on
            population.account_id = candidates.account_id
            and population.as_of_date = candidates.as_of_date
    inner join rolling_lift
        on
            as_of_cutoffs.cutoff_date = rolling_lift.cutoff_date
            and candidates.behaviour_key = rolling_lift.behaviour_key

),

final as (

    select * from in_sample
    union all
    select * from learned_before

)

select * from final
