{#-
    Candidate churn behaviours, long: one row per account, as-of date and
    behaviour_key, with is_present (never null) and the metric behind it.
    Per key feature of the event_catalog seed (data, not columns):
      stopped_<feature>  used in days as_of-89..as_of-30, not in the last 30
                         days; metric = events in days as_of-89..as_of-30.
      declined_<feature> used in the prior 30 days, and the last 30 days
                         have less than `behaviour_feature_decline_ratio`
                         of it; metric = 30d / prior 30d.
    Account-wide (thresholds are vars of the behaviour section):
      usage_decline, low_seat_utilisation, no_activity_14d,
      high_priority_tickets, nps_detractor, overdue_invoice,
      recent_contraction, few_active_users.
    The int_churn_indicator_lift model measures which of them precede churn.
-#}
{%- set float_type = behaviour_type_float() -%}
with

behaviour as (

    select * from {{ ref('int_account_behaviour_weekly') }}

),

feature_usage as (

    select * from {{ ref('int_account_feature_usage_weekly') }}

),

feature_candidates as (

    select
        account_id,
        as_of_date,
        is_current,
        {{ dbt.concat(["'stopped_'", 'event_name']) }} as behaviour_key,
        events_30d = 0 and events_90d > 0 as is_present,
        cast(events_90d - events_30d as {{ float_type }}) as metric_value
    from feature_usage

    union all

    select
        account_id,
        as_of_date,
        is_current,
        {{ dbt.concat(["'declined_'", 'event_name']) }} as behaviour_key,
        events_prior_30d > 0
        and events_30d
        < {{ var('behaviour_feature_decline_ratio') }}
        * events_prior_30d as is_present,
        case
            when events_prior_30d > 0
                then
                    cast(events_30d as {{ float_type }})
                    / events_prior_30d
        end as metric_value
    from feature_usage

),

account_candidates as (

    select
        account_id,
        as_of_date,
        is_current,
        'usage_decline' as behaviour_key,
        coalesce(
            usage_trend_ratio
            < {{ var('behaviour_usage_decline_ratio') }},
            false
        ) as is_present,
        cast(usage_trend_ratio as {{ float_type }}) as metric_value
    from behaviour

    union all

    select
        account_id,
        as_of_date,
        is_current,
        'low_seat_utilisation' as behaviour_key,
        coalesce(
            seat_utilisation_30d
            < {{ var('behaviour_low_seat_utilisation') }},
            false
        ) as is_present,
        cast(seat_utilisation_30d as {{ float_type }}) as metric_value
    from behaviour

    union all

    -- Never active counts as inactive.
    select
        account_id,
        as_of_date,
        is_current,
        'no_activity_14d' as behaviour_key,
        coalesce(
            days_since_last_activity
            >= {{ var('behaviour_inactive_days') }},
            true
        ) as is_present,
        cast(days_since_last_activity as {{ float_type }}) as metric_value
    from behaviour

    union all

    select
        account_id,
        as_of_date,
        is_current,
        'high_priority_tickets' as behaviour_key,
        high_priority_tickets_90d
        >= {{ var('behaviour_high_priority_tickets_min') }} as is_present,
        cast(high_priority_tickets_90d as {{ float_type }}) as metric_value
    from behaviour

    union all

    select
        account_id,
        as_of_date,
        is_current,
        'nps_detractor' as behaviour_key,
        coalesce(
            latest_nps_score
            <= {{ var('behaviour_nps_detractor_max') }},
            false
        ) as is_present,
        cast(latest_nps_score as {{ float_type }}) as metric_value
    from behaviour

    union all

    select
        account_id,
        as_of_date,
        is_current,
        'overdue_invoice' as behaviour_key,
        overdue_invoices >= 1 as is_present,
        cast(overdue_invoices as {{ float_type }}) as metric_value
    from behaviour

    union all

    select
        account_id,
        as_of_date,
        is_current,
        'recent_contraction' as behaviour_key,
        recent_contraction = true as is_present,
        cast(mrr_usd as {{ float_type }}) as metric_value
    from behaviour

    union all

    select
        account_id,
        as_of_date,
        is_current,
        'few_active_users' as behaviour_key,
        active_users_30d
        <= {{ var('behaviour_few_active_users_max') }} as is_present,
        cast(active_users_30d as {{ float_type }}) as metric_value
    from behaviour

),

final as (

    select * from feature_candidates
    union all
    select * from account_candidates

)

select * from final
