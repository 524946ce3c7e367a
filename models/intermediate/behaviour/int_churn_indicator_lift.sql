{#-
    Leading-indicator analysis, one row per candidate behaviour_key whose
    inputs this build has (int_capability_requirements; the others are not
    evidence and are left out, see rpt_capabilities).
    Observations: the churn and renewal events of int_churn_renewal_events
    dated on or before the latest week end of the spine (the learning
    cut-off: an open as-of date uses the indicators learned at the week end
    before it, so they change once a week, when a week closes, and not on
    every daily run), each with the candidate behaviours of its account on
    the event's observation_date (the panel row `indicator_lead_days`
    before the event).
    For each behaviour, the 2x2 table
        a = churned with it      b = renewed with it      n1 = a + b
        c = churned without it   d = renewed without it   n0 = c + d
    gives churn_rate_with = a / n1, churn_rate_without = c / n0 and
    lift = churn_rate_with / churn_rate_without (risk ratio), with a 95%
    confidence interval by the Katz log method:
        se = sqrt(1/a - 1/n1 + 1/c - 1/n0),
        ci = exp(ln(lift) -/+ 1.96 * se).
    When a, b, c or d is 0, 0.5 is added to each of them (so 1 to n1 and
    n0) for lift and interval (Haldane-Anscombe correction;
    is_continuity_corrected = true); the churn rates stay uncorrected. When
    n1 or n0 is 0 the lift is null (nothing to compare).
    Rank: by lift_ci_lower desc (then lift, behaviour_key). Selected: lower
    bound above 1, lift >= `indicator_min_lift`, at least
    `indicator_min_churned_with` churned observations with the behaviour,
    and at least `indicator_min_churned_accounts` churned accounts overall;
    below that the status says insufficient_churned_accounts and nothing is
    selected. Rates, lift and bounds are shown rounded to 4 decimals; rank
    and selection use the unrounded values.
-#}
{%- set float_type = behaviour_type_float() -%}
with

-- Present behaviours only: an observation without a row here is an
-- observation without the behaviour.
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

-- Behaviours whose inputs this build has (capability_requirements seed):
-- one computed without its inputs (e.g. few_active_users without user ids
-- in usage) would be true for everyone and is no evidence.
offered_behaviours as (

    select capability_key as behaviour_key
    from {{ ref('int_capability_requirements') }}
    where capability_type = 'behaviour'
    group by 1
    having
        min(case when input_is_available then 1 else 0 end) = 1

),

renewal_events as (

    select
        account_id,
        event_date,
        is_churn,
        observation_date
    from {{ ref('int_churn_renewal_events') }}
    where observation_date is not null

),

week_ends as (

    select as_of_date
    from {{ ref('int_account_weeks') }}
    where is_week_end = true

),

-- The learning cut-off: the latest week end (an event after it is learned
-- from when its week closes).
learned_through as (

    select max(as_of_date) as learned_through_date
    from week_ends

),

events as (

    select
        renewal_events.account_id,
        renewal_events.event_date,
        renewal_events.is_churn,
        renewal_events.observation_date
    from renewal_events
    inner join learned_through
        on renewal_events.event_date <= learned_through.learned_through_date

),

behaviour_keys as (

    select candidate_keys.behaviour_key
    from candidate_keys
    inner join offered_behaviours
        on candidate_keys.behaviour_key = offered_behaviours.behaviour_key

),

-- Each event whose account is on the spine at its observation date, with
-- every analysed behaviour, present or not.
{{ churn_observation_ctes('behaviour_keys') }},

churned_accounts as (

    select count(distinct account_id) as n_churned_accounts
    from observations
    where is_churn = true

),

counts as (

    select
        behaviour_key,
        count(*) as n_observations,
        sum(case when is_churn = true then 1 else 0 end) as n_churned,
        sum(case when is_present = true then 1 else 0 end) as n_with,
        sum(
            case when is_present = true and is_churn = true then 1 else 0 end
        ) as churned_with
    from observations
    group by 1

),

cells as (

    select
        behaviour_keys.behaviour_key,
        coalesce(counts.n_observations, 0) as n_observations,
        coalesce(counts.n_churned, 0) as n_churned,
        coalesce(counts.n_with, 0) as n_with,
        coalesce(counts.churned_with, 0) as churned_with,
        coalesce(counts.n_observations, 0) - coalesce(counts.n_with, 0)
            as n_without,
        coalesce(counts.n_churned, 0) - coalesce(counts.churned_with, 0)
            as churned_without
    from behaviour_keys
    left join counts
        on behaviour_keys.behaviour_key = counts.behaviour_key

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
            when n_with > 0
                then cast(churned_with as {{ float_type }}) / n_with
        end as churn_rate_with,
        case
            when n_without > 0
                then cast(churned_without as {{ float_type }}) / n_without
        end as churn_rate_without,
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
        *,
        exp(ln(lift) - 1.96 * lift_log_se) as lift_ci_lower,
        exp(ln(lift) + 1.96 * lift_log_se) as lift_ci_upper
    from rates

),

ranked as (

    select
        intervals.*,
        churned_accounts.n_churned_accounts,
        row_number() over (
            order by
                coalesce(intervals.lift_ci_lower, -1) desc,
                coalesce(intervals.lift, -1) desc,
                intervals.behaviour_key
        ) as lift_rank
    from intervals
    cross join churned_accounts

),

final as (

    select
        behaviour_key,
        cast(lift_rank as integer) as lift_rank,
        cast(n_observations as integer) as n_observations,
        cast(n_churned as integer) as n_churned,
        cast(n_with as integer) as n_with,
        cast(churned_with as integer) as churned_with,
        cast(n_without as integer) as n_without,
        cast(churned_without as integer) as churned_without,
        {{ cs_round('churn_rate_with', 4) }} as churn_rate_with,
        {{ cs_round('churn_rate_without', 4) }} as churn_rate_without,
        {{ cs_round('lift', 4) }} as lift,
        {{ cs_round('lift_ci_lower', 4) }} as lift_ci_lower,
        {{ cs_round('lift_ci_upper', 4) }} as lift_ci_upper,
        is_continuity_corrected,
        cast(n_churned_accounts as integer) as n_churned_accounts,
        case
            when
                n_churned_accounts
                >= {{ var('indicator_min_churned_accounts') }}
                then 'ok'
            else 'insufficient_churned_accounts'
        end as analysis_status,
        coalesce(
            n_churned_accounts
            >= {{ var('indicator_min_churned_accounts') }}
            and lift_ci_lower > 1
            and lift >= {{ var('indicator_min_lift') }}
            and churned_with >= {{ var('indicator_min_churned_with') }},
            false
        ) as is_selected
    from ranked

)

select * from final
