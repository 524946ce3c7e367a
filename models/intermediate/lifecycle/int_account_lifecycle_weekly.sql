{#-
    Lifecycle panel: exactly one stage per account and as-of date, decided in
    this order (first match wins):
      1. churned: no paid subscription active on the date, but one before;
      2. first_renewal_window / renewal_window: a paid subscription's term
         ends within lifecycle_renewal_window_days days (first = no annual
         term of the account completed yet);
      3. onboarding: tenure < lifecycle_onboarding_days and not activated;
      4. adoption: never paid (trial / free) and past onboarding;
      5. reactivated: back after a churn, < lifecycle_reactivated_days ago;
      6. veteran: tenure >= lifecycle_veteran_months (year 4 and later);
      7. mature: tenure >= lifecycle_mature_months (years 2-3);
      8. adoption: everything else (paying, first year, past onboarding).
    Paid = a subscription with mrr_usd > 0. Tenure counts from the first
    paid subscription's start, or from account creation while the account
    has never paid. Term end (renewal date): a canceled subscription's
    end_date once the cancellation is known (canceled_at <= as-of date);
    otherwise an annual plan's next anniversary; otherwise none (monthly
    open-ended plans, and end dates without cancellation, which are plan
    changes followed by a new row). See _lifecycle__models.yml.
    Incremental on DuckDB (a table on Spark; macros/as_of_fingerprints.sql):
    a date's row reads only what was known on it (subscriptions started on
    or before it, their end and cancellation once reached, paid periods
    started and ended by then, an activation on or before it), so each as-of
    date is stored with the fingerprint of its spine rows and of each of
    those facts dated on or before it, and of the model's code and the vars
    it reads; a run recomputes the dates whose fingerprint is new or changed
    (a daily run: the open date and the dates on or after a changed fact)
    instead of every date.
-#}
{{ config(**as_of_fingerprint_config()) }}
{%- set incremental = as_of_fingerprint_is_incremental() %}
{%- set onboarding_days = var('lifecycle_onboarding_days') -%}
{%- set renewal_days = var('lifecycle_renewal_window_days') -%}
{%- set reactivated_days = var('lifecycle_reactivated_days') -%}
{%- set mature_months = var('lifecycle_mature_months') -%}
{%- set veteran_months = var('lifecycle_veteran_months') -%}
{%- set months_counted = full_months_between(
    'start_date', 'counted_until_date') -%}
{#- What decides a row besides its inputs: this file, the expanded macros
    it calls and the lifecycle vars it reads. -#}
{%- set version = model_code_md5(
    vars_text([
        'lifecycle_onboarding_days', 'lifecycle_renewal_window_days',
        'lifecycle_reactivated_days', 'lifecycle_mature_months',
        'lifecycle_veteran_months',
    ])
    ~ subscription_is_active_on('s', 'd')
    ~ next_anniversary_after('s', 'd')
    ~ months_counted
    ~ add_months('s', 1)
    ~ dbt.datediff('a', 'b', 'day')) -%}
with

{{ as_of_fingerprint_ctes(
    [('int_account_weeks', ['is_current'])],
    version, incremental,
    dated_inputs=[
        ('stg_raw__accounts', 'created_at', ['account_id']),
        ('int_subscriptions_normalised', 'start_date', [
            'account_id', 'subscription_id', 'billing_interval', 'is_paid',
        ]),
        ('int_subscriptions_normalised', 'end_date', ['subscription_id']),
        ('int_subscriptions_normalised', 'canceled_at', [
            'subscription_id', 'end_date',
        ]),
        ('int_account_paid_periods', 'period_start_date', [
            'account_id', 'paid_period_number',
        ]),
        ('int_account_paid_periods', 'period_end_date', [
            'account_id', 'paid_period_number',
        ]),
        ('int_account_activation', 'activation_date', ['account_id']),
    ]) }},

accounts as (

    select
        account_id,
        created_at
    from {{ ref('stg_raw__accounts') }}

),

account_weeks as (

    select
        account_id,
        as_of_date,
        is_current
    from {{ ref('int_account_weeks') }}
    {{ as_of_recomputed_only(incremental) }}

),

paid_subscriptions as (

    select * from {{ ref('int_subscriptions_normalised') }}
    where is_paid = true

),

paid_periods as (

    select * from {{ ref('int_account_paid_periods') }}

),

activation as (

    select * from {{ ref('int_account_activation') }}

),

account_dates as (

    select
        account_weeks.account_id,
        cast(accounts.created_at as date) as created_date,
        account_weeks.as_of_date,
        account_weeks.is_current
    from account_weeks
    inner join accounts
        on account_weeks.account_id = accounts.account_id

),

subscriptions_known as (

    -- Paid subscriptions started on or before each as-of date, with what
    -- was known of their term on that date.
    select
        account_dates.account_id,
        account_dates.as_of_date,
        paid_subscriptions.start_date,
        paid_subscriptions.billing_interval,
        {{ subscription_is_active_on(
            'paid_subscriptions', 'account_dates.as_of_date') }} as is_active,
        -- Term end: a canceled subscription's end date once the cancellation
        -- is known; else an annual plan's next anniversary. An end date
        -- without cancellation is a plan change (a new row follows), not a
        -- term end; monthly plans have no term end otherwise.
        case
            when
                paid_subscriptions.end_date is not null
                and cast(paid_subscriptions.canceled_at as date)
                <= account_dates.as_of_date
                then paid_subscriptions.end_date
            when paid_subscriptions.billing_interval = 'year'
                then {{ next_anniversary_after(
                    'paid_subscriptions.start_date',
                    'account_dates.as_of_date') }}
        end as term_end_date,
        -- Annual terms count as completed up to the end date or the as-of
        -- date, whichever is earlier.
        case
            when paid_subscriptions.end_date < account_dates.as_of_date
                then paid_subscriptions.end_date
            else account_dates.as_of_date
        end as counted_until_date
    from account_dates
    inner join paid_subscriptions
        on
            account_dates.account_id = paid_subscriptions.account_id
            and account_dates.as_of_date >= paid_subscriptions.start_date

),

subscription_facts as (

    select
        account_id,
        as_of_date,
        min(start_date) as first_paid_date,
        sum(case when is_active = true then 1 else 0 end)
            as active_paid_subscriptions,
        min(case when is_active = true then term_end_date end)
            as current_term_end_date,
        sum(
            case
                when billing_interval = 'year'
                    then cast(floor({{ months_counted }} / 12) as integer)
                else 0
            end
        ) as completed_annual_terms
    from subscriptions_known
    group by 1, 2

),

period_facts as (

    select
        account_dates.account_id,
        account_dates.as_of_date,
        max(
            case
                when
                    paid_periods.period_end_date is null
                    or paid_periods.period_end_date > account_dates.as_of_date
                    then paid_periods.paid_period_number
            end
        ) as current_paid_period_number,
        max(
            case
                when
                    paid_periods.period_end_date is null
                    or paid_periods.period_end_date > account_dates.as_of_date
                    then paid_periods.period_start_date
            end
        ) as current_period_start_date,
        max(
            case
                when paid_periods.period_end_date <= account_dates.as_of_date
                    then paid_periods.period_end_date
            end
        ) as last_paid_period_end_date
    from account_dates
    inner join paid_periods
        on
            account_dates.account_id = paid_periods.account_id
            and account_dates.as_of_date >= paid_periods.period_start_date
    group by 1, 2

),

joined as (

    select
        account_dates.account_id,
        account_dates.as_of_date,
        account_dates.is_current,
        subscription_facts.first_paid_date,
        coalesce(
            subscription_facts.first_paid_date, account_dates.created_date
        ) as tenure_start_date,
        cast(
            coalesce(subscription_facts.active_paid_subscriptions, 0)
            as integer
        ) as active_paid_subscriptions,
        subscription_facts.current_term_end_date,
        cast(
            coalesce(subscription_facts.completed_annual_terms, 0) as integer
        ) as completed_annual_terms,
        case
            when activation.activation_date <= account_dates.as_of_date
                then activation.activation_date
        end as activation_date,
        coalesce(
            activation.activation_date <= account_dates.as_of_date, false
        ) as is_activated,
        coalesce(period_facts.current_paid_period_number > 1, false)
            as is_reactivated,
        case
            when period_facts.current_paid_period_number > 1
                then period_facts.current_period_start_date
        end as reactivated_on_date,
        case
            when period_facts.current_paid_period_number is null
                then period_facts.last_paid_period_end_date
        end as churned_on_date
    from account_dates
    left join subscription_facts
        on
            account_dates.account_id = subscription_facts.account_id
            and account_dates.as_of_date = subscription_facts.as_of_date
    left join period_facts
        on
            account_dates.account_id = period_facts.account_id
            and account_dates.as_of_date = period_facts.as_of_date
    left join activation
        on account_dates.account_id = activation.account_id

),

measured as (

    select
        *,
        cast(
            {{ dbt.datediff('tenure_start_date', 'as_of_date', 'day') }}
            as integer
        ) as tenure_days,
        cast(
            {{ dbt.datediff('as_of_date', 'current_term_end_date', 'day') }}
            as integer
        ) as days_to_term_end,
        case
            when current_term_end_date is not null
                then completed_annual_terms + 1
        end as renewal_number,
        cast(
            {{ dbt.datediff('reactivated_on_date', 'as_of_date', 'day') }}
            as integer
        ) as days_since_reactivation
    from joined

),

staged as (

    select
        *,
        case
            when
                first_paid_date is not null
                and active_paid_subscriptions = 0
                then 'churned'
            when days_to_term_end <= {{ renewal_days }}
                then
                    case
                        when renewal_number = 1 then 'first_renewal_window'
                        else 'renewal_window'
                    end
            when
                tenure_days < {{ onboarding_days }}
                and is_activated = false
                then 'onboarding'
            when first_paid_date is null then 'adoption'
            when
                is_reactivated = true
                and days_since_reactivation < {{ reactivated_days }}
                then 'reactivated'
            when
                as_of_date
                >= {{ add_months('tenure_start_date', veteran_months) }}
                then 'veteran'
            when
                as_of_date
                >= {{ add_months('tenure_start_date', mature_months) }}
                then 'mature'
            else 'adoption'
        end as lifecycle_stage
    from measured

),

final as (

    select
        staged.account_id,
        staged.as_of_date,
        staged.is_current,
        staged.lifecycle_stage,
        staged.tenure_start_date,
        staged.tenure_days,
        staged.first_paid_date,
        staged.active_paid_subscriptions,
        staged.current_term_end_date,
        staged.days_to_term_end,
        staged.renewal_number,
        staged.activation_date,
        staged.is_activated,
        staged.is_reactivated,
        staged.reactivated_on_date,
        staged.days_since_reactivation,
        staged.churned_on_date,
        recompute_dates.inputs_fingerprint,
        {{ run_started_at_timestamp() }} as loaded_at
    from staged
    inner join recompute_dates
        on staged.as_of_date = recompute_dates.as_of_date

)

select * from final
