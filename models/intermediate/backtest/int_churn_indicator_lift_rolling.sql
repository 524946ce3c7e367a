{#-
    The churn-indicator analysis of int_churn_indicator_lift, repeated at
    cut-off dates with only what was known then: one row per cut-off date
    and candidate behaviour, learned from the churn and renewal events on or
    before the cut-off's week end (the cut-off itself, or for an open
    current as-of date the week end before it, as in
    int_churn_indicator_lift; their behaviour was observed
    `indicator_lead_days` earlier, so also before it). Cut-offs: the
    current as-of date and every
    `backtest_relearn_every_weeks`-th weekly as-of date before it. The 2x2
    table, the lift with its Katz interval (0.5 continuity correction when
    a cell is 0) and the selection rule are those of
    int_churn_indicator_lift; at the current as-of date both agree
    (tests/backtest/assert_rolling_lift_matches_in_sample.sql).
-#}
{%- set float_type = behaviour_type_float() -%}
with

-- Present behaviours only: an observation without a row here is an
-- observation without the behaviour (as in int_churn_indicator_lift).
candidates as (

    select
        account_id,
        as_of_date,
        behaviour_key
    from {{ ref('int_account_behaviour_candidates_weekly') }}

),

candidate_keys as (

    select behaviour_key
    from {{ ref('int_behaviour_candidate_keys') }}

),

spine as (

    select
        account_id,
        as_of_date
    from {{ ref('int_account_weeks') }}

),

events as (

    select
        account_id,
        event_date,
        is_churn,
        observation_date
    from {{ ref('int_churn_renewal_events') }}
    where observation_date is not null

),

as_of_dates as (

    select
        as_of_date,
        is_week_end,
        row_number() over (order by as_of_date desc) - 1 as weeks_before
    from {{ ref('int_as_of_dates') }}

),

last_week_end as (

    select max(as_of_date) as last_week_end_date
    from as_of_dates
    where is_week_end = true

),

-- learned_through_date: the latest week end on or before the cut-off.
cutoffs as (

    select
        as_of_dates.as_of_date as cutoff_date,
        case
            when as_of_dates.is_week_end = true then as_of_dates.as_of_date
            else last_week_end.last_week_end_date
        end as learned_through_date
    from as_of_dates
    cross join last_week_end
    where
        as_of_dates.weeks_before
        % {{ var('backtest_relearn_every_weeks') | int }} = 0

),

-- Each event whose account is on the spine at its observation date, with
-- every candidate behaviour, present or not.
{{ churn_observation_ctes('candidate_keys') }},

known_observations as (

    select
        cutoffs.cutoff_date,
        observations.account_id,
        observations.is_churn,
        observations.behaviour_key,
        observations.is_present
    from cutoffs
    inner join observations
        on cutoffs.learned_through_date >= observations.event_date

),

churned_accounts as (

    select
        cutoff_date,
        count(distinct account_id) as n_churned_accounts
    from known_observations
    where is_churn = true
    group by 1

),

cells as (

    select
        cutoff_date,
        behaviour_key,
        count(*) as n_observations,
        sum(case when is_present = true then 1 else 0 end) as n_with,
        sum(
            case when is_present = true and is_churn = true then 1 else 0 end
        ) as churned_with,
        sum(case when is_present = false then 1 else 0 end) as n_without,
        sum(
            case when is_present = false and is_churn = true then 1 else 0 end
        ) as churned_without
    from known_observations
    group by 1, 2

),

corrected as (

    select
        *,
        n_with > 0
        and n_without > 0
        and (
            churned_with = 0
            or churned_with = n_with
            or churned_without = 0
            or churned_without = n_without
        ) as is_continuity_corrected
    from cells

),

adjusted as (

    select
        *,
        cast(churned_with as {{ float_type }})
        + case when is_continuity_corrected then 0.5 else 0 end as adj_a,
        cast(n_with as {{ float_type }})
        + case when is_continuity_corrected then 1 else 0 end as adj_n1,
        cast(churned_without as {{ float_type }})
        + case when is_continuity_corrected then 0.5 else 0 end as adj_c,
        cast(n_without as {{ float_type }})
        + case when is_continuity_corrected then 1 else 0 end as adj_n0
    from corrected

),

rates as (

    select
        *,
        case
            when n_with > 0 and n_without > 0
                then (adj_a / adj_n1) / (adj_c / adj_n0)
        end as lift,
        case
            when n_with > 0 and n_without > 0
                then sqrt(1 / adj_a - 1 / adj_n1 + 1 / adj_c - 1 / adj_n0)
        end as lift_log_se
    from adjusted

),

intervals as (

    select
        rates.*,
        exp(ln(rates.lift) - 1.96 * rates.lift_log_se) as lift_ci_lower,
        coalesce(churned_accounts.n_churned_accounts, 0)
            as n_churned_accounts
    from rates
    left join churned_accounts
        on rates.cutoff_date = churned_accounts.cutoff_date

),

final as (

    select
        cutoff_date,
        behaviour_key,
        cast(n_observations as integer) as n_observations,
        cast(n_with as integer) as n_with,
        cast(churned_with as integer) as churned_with,
        cast(n_churned_accounts as integer) as n_churned_accounts,
        {{ cs_round('lift', 4) }} as lift,
        {{ cs_round('lift_ci_lower', 4) }} as lift_ci_lower,
        coalesce(
            n_churned_accounts
            >= {{ var('indicator_min_churned_accounts') }}
            and lift_ci_lower > 1
            and lift >= {{ var('indicator_min_lift') }}
            and churned_with >= {{ var('indicator_min_churned_with') }},
            false
        ) as is_selected
    from intervals

)

select * from final
