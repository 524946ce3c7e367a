{#-
    Behaviour panel: one row per account and as-of date (the weekly spine,
    int_account_weeks). Joins its parts, each a panel on the same spine:
    usage (int_account_usage_weekly), key features adopted
    (int_account_feature_usage_weekly), support (int_account_support_weekly),
    NPS (int_account_nps_weekly) and billing (int_account_billing_weekly),
    and derives the ratios. Windows end on the as-of date inclusive:
    30d = days as_of-29..as_of, prior 30d = as_of-59..as_of-30,
    90d = as_of-89..as_of.
-#}
with

account_weeks as (

    select
        account_id,
        as_of_date,
        is_current
    from {{ ref('int_account_weeks') }}

),

usage as (

    select * from {{ ref('int_account_usage_weekly') }}

),

feature_usage as (

    select
        account_id,
        as_of_date,
        events_30d,
        events_90d
    from {{ ref('int_account_feature_usage_weekly') }}

),

support as (

    select * from {{ ref('int_account_support_weekly') }}

),

nps as (

    select * from {{ ref('int_account_nps_weekly') }}

),

billing as (

    select * from {{ ref('int_account_billing_weekly') }}

),

key_features_adopted as (

    select
        account_id,
        as_of_date,
        sum(case when events_30d > 0 then 1 else 0 end)
            as key_features_adopted_30d,
        sum(case when events_90d > 0 then 1 else 0 end)
            as key_features_adopted_90d
    from feature_usage
    group by 1, 2

),

joined as (

    select
        account_weeks.account_id,
        account_weeks.as_of_date,
        account_weeks.is_current,
        coalesce(usage.active_users_30d, 0) as active_users_30d,
        coalesce(usage.active_users_90d, 0) as active_users_90d,
        billing.licensed_seats,
        coalesce(key_features_adopted.key_features_adopted_30d, 0)
            as key_features_adopted_30d,
        coalesce(key_features_adopted.key_features_adopted_90d, 0)
            as key_features_adopted_90d,
        coalesce(usage.events_30d, 0) as events_30d,
        coalesce(usage.events_prior_30d, 0) as events_prior_30d,
        coalesce(usage.events_90d, 0) as events_90d,
        usage.last_activity_date,
        coalesce(support.tickets_30d, 0) as tickets_30d,
        coalesce(support.tickets_90d, 0) as tickets_90d,
        coalesce(support.high_priority_tickets_90d, 0)
            as high_priority_tickets_90d,
        coalesce(support.open_tickets, 0) as open_tickets,
        nps.latest_nps_score,
        nps.nps_90d_avg,
        coalesce(nps.nps_responses_90d, 0) as nps_responses_90d,
        coalesce(billing.overdue_invoices, 0) as overdue_invoices,
        billing.mrr_usd,
        billing.mrr_usd_contraction_baseline,
        coalesce(billing.recent_contraction, false) as recent_contraction
    from account_weeks
    left join usage
        on
            account_weeks.account_id = usage.account_id
            and account_weeks.as_of_date = usage.as_of_date
    left join key_features_adopted
        on
            account_weeks.account_id = key_features_adopted.account_id
            and account_weeks.as_of_date = key_features_adopted.as_of_date
    left join support
        on
            account_weeks.account_id = support.account_id
            and account_weeks.as_of_date = support.as_of_date
    left join nps
        on
            account_weeks.account_id = nps.account_id
            and account_weeks.as_of_date = nps.as_of_date
    left join billing
        on
            account_weeks.account_id = billing.account_id
            and account_weeks.as_of_date = billing.as_of_date

),

final as (

    select
        account_id,
        as_of_date,
        is_current,
        cast(active_users_30d as bigint) as active_users_30d,
        cast(active_users_90d as bigint) as active_users_90d,
        licensed_seats,
        case
            when licensed_seats > 0
                then
                    cast(active_users_30d as {{ behaviour_type_float() }})
                    / licensed_seats
        end as seat_utilisation_30d,
        cast(key_features_adopted_30d as integer) as key_features_adopted_30d,
        cast(key_features_adopted_90d as integer) as key_features_adopted_90d,
        cast(events_30d as bigint) as events_30d,
        cast(events_prior_30d as bigint) as events_prior_30d,
        cast(events_90d as bigint) as events_90d,
        case
            when events_prior_30d > 0
                then
                    cast(events_30d as {{ behaviour_type_float() }})
                    / events_prior_30d
        end as usage_trend_ratio,
        last_activity_date,
        {{ dbt.datediff('last_activity_date', 'as_of_date', 'day') }}
            as days_since_last_activity,
        cast(tickets_30d as integer) as tickets_30d,
        cast(tickets_90d as integer) as tickets_90d,
        cast(high_priority_tickets_90d as integer)
            as high_priority_tickets_90d,
        cast(open_tickets as integer) as open_tickets,
        latest_nps_score,
        nps_90d_avg,
        cast(nps_responses_90d as integer) as nps_responses_90d,
        cast(overdue_invoices as integer) as overdue_invoices,
        mrr_usd,
        mrr_usd_contraction_baseline,
        recent_contraction
    from joined

)

select * from final
