{#-
    Outcome events of the churn-indicator analysis, one row per account and
    event date, on or before the current as-of date:
    - churn: a paid subscription (amount > 0) ends on `event_date` and no
      paid subscription of the account is active on that day (paid MRR goes
      to 0). An account that later comes back can churn again.
    - renewal: an annual paid subscription term ends on `event_date` and a
      paid subscription of the account is active on that day (the account
      renewed or moved to another plan without a gap).
    observation_date: the panel date whose behaviour is tested, the latest
    as-of date on or before event_date - `indicator_lead_days` (default 14).
    Why 14: the behaviour must be observed early enough to act on, but late
    enough to see a change that starts 1-3 months before the end (the
    generated data plant "search stops 30-90 days before churn": 14 days of
    lead keeps most of it visible in the 30-day windows). Null when the
    weekly history does not reach back that far.
-#}
with

subscriptions as (

    select
        subscription_id,
        account_id,
        billing_interval,
        start_date,
        end_date
    from {{ ref('stg_raw__subscriptions') }}
    where amount > 0

),

as_of_dates as (

    select
        as_of_date,
        is_current
    from {{ ref('int_as_of_dates') }}

),

current_as_of as (

    select max(as_of_date) as current_as_of_date
    from as_of_dates

),

term_ends as (

    select
        subscriptions.account_id,
        subscriptions.end_date as event_date,
        max(
            case when subscriptions.billing_interval = 'year' then 1 else 0 end
        ) as is_annual_term
    from subscriptions
    cross join current_as_of
    where
        subscriptions.end_date is not null
        and subscriptions.end_date <= current_as_of.current_as_of_date
    group by 1, 2

),

continued as (

    select distinct
        term_ends.account_id,
        term_ends.event_date
    from term_ends
    inner join subscriptions
        on
            term_ends.account_id = subscriptions.account_id
            and term_ends.event_date >= subscriptions.start_date
            and (
                subscriptions.end_date is null
                or term_ends.event_date < subscriptions.end_date
            )

),

classified as (

    select
        term_ends.account_id,
        term_ends.event_date,
        case
            when continued.account_id is null then 'churn'
            when term_ends.is_annual_term = 1 then 'renewal'
        end as event_type
    from term_ends
    left join continued
        on
            term_ends.account_id = continued.account_id
            and term_ends.event_date = continued.event_date

),

observation_points as (

    select
        classified.account_id,
        classified.event_date,
        max(as_of_dates.as_of_date) as observation_date
    from classified
    inner join as_of_dates
        on
            as_of_dates.as_of_date
            <= {{ behaviour_days_before(
                'classified.event_date',
                var('indicator_lead_days')) }}
            and as_of_dates.as_of_date
            > {{ behaviour_days_before(
                'classified.event_date',
                var('indicator_lead_days') + 7) }}
    where classified.event_type is not null
    group by 1, 2

),

final as (

    select
        classified.account_id,
        classified.event_date,
        classified.event_type,
        classified.event_type = 'churn' as is_churn,
        observation_points.observation_date
    from classified
    left join observation_points
        on
            classified.account_id = observation_points.account_id
            and classified.event_date = observation_points.event_date
    where classified.event_type is not null

)

select * from final
