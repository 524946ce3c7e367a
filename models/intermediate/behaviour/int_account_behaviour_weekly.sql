{#-
    Behaviour panel: one row per account and as-of date (the weekly spine,
    int_account_weeks). Joins its parts, each a panel on the same spine:
    usage (int_account_usage_weekly), key features adopted
    (int_account_feature_usage_weekly), support (int_account_support_weekly),
    NPS (int_account_nps_weekly) and billing (int_account_billing_weekly),
    and derives the ratios. Windows end on the as-of date inclusive:
    30d = days as_of-29..as_of, prior 30d = as_of-59..as_of-30,
    90d = as_of-89..as_of.
    Memory: the parts are stacked (union all, one branch each) and grouped
    per account and as-of date, one hash aggregate that DuckDB spills,
    rather than five left joins on the spine, whose hash tables (6.9 M rows
    each at 100,000 accounts) are all held at once: those ran out of memory
    under the 3GB cap in a daily run at 100,000 accounts (the same
    warehouse state failed again when the model was run alone).
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

parts as (

    -- The spine and each part, one branch each, summed per account and
    -- as-of date below: one hash aggregate, which DuckDB spills, instead
    -- of five left joins whose hash tables (6.9 M rows each at 100,000
    -- accounts) are all held at once (out of memory under the 3GB cap).
    select
        account_id,
        as_of_date,
        is_current,
        null as active_users_30d,
        null as active_users_90d,
        null as events_30d,
        null as events_prior_30d,
        null as events_90d,
        null as last_activity_date,
        null as key_features_adopted_30d,
        null as key_features_adopted_90d,
        null as tickets_30d,
        null as tickets_90d,
        null as high_priority_tickets_90d,
        null as open_tickets,
        null as latest_nps_score,
        null as nps_90d_avg,
        null as nps_responses_90d,
        null as licensed_seats,
        null as overdue_invoices,
        null as mrr_usd,
        null as mrr_usd_contraction_baseline,
        null as recent_contraction
    from account_weeks

    union all

    select
        account_id,
        as_of_date,
        null as is_current,
        active_users_30d,
        active_users_90d,
        events_30d,
        events_prior_30d,
        events_90d,
        last_activity_date,
        null as key_features_adopted_30d,
        null as key_features_adopted_90d,
        null as tickets_30d,
        null as tickets_90d,
        null as high_priority_tickets_90d,
        null as open_tickets,
        null as latest_nps_score,
        null as nps_90d_avg,
        null as nps_responses_90d,
        null as licensed_seats,
        null as overdue_invoices,
        null as mrr_usd,
        null as mrr_usd_contraction_baseline,
        null as recent_contraction
    from usage

    union all

    select
        account_id,
        as_of_date,
        null as is_current,
        null as active_users_30d,
        null as active_users_90d,
        null as events_30d,
        null as events_prior_30d,
        null as events_90d,
        null as last_activity_date,
        key_features_adopted_30d,
        key_features_adopted_90d,
        null as tickets_30d,
        null as tickets_90d,
        null as high_priority_tickets_90d,
        null as open_tickets,
        null as latest_nps_score,
        null as nps_90d_avg,
        null as nps_responses_90d,
        null as licensed_seats,
        null as overdue_invoices,
        null as mrr_usd,
        null as mrr_usd_contraction_baseline,
        null as recent_contraction
    from key_features_adopted

    union all

    select
        account_id,
        as_of_date,
        null as is_current,
        null as active_users_30d,
        null as active_users_90d,
        null as events_30d,
        null as events_prior_30d,
        null as events_90d,
        null as last_activity_date,
        null as key_features_adopted_30d,
        null as key_features_adopted_90d,
        tickets_30d,
        tickets_90d,
        high_priority_tickets_90d,
        open_tickets,
        null as latest_nps_score,
        null as nps_90d_avg,
        null as nps_responses_90d,
        null as licensed_seats,
        null as overdue_invoices,
        null as mrr_usd,
        null as mrr_usd_contraction_baseline,
        null as recent_contraction
    from support

    union all

    select
        account_id,
        as_of_date,
        null as is_current,
        null as active_users_30d,
        null as active_users_90d,
        null as events_30d,
        null as events_prior_30d,
        null as events_90d,
        null as last_activity_date,
        null as key_features_adopted_30d,
        null as key_features_adopted_90d,
        null as tickets_30d,
        null as tickets_90d,
        null as high_priority_tickets_90d,
        null as open_tickets,
        latest_nps_score,
        nps_90d_avg,
        nps_responses_90d,
        null as licensed_seats,
        null as overdue_invoices,
        null as mrr_usd,
        null as mrr_usd_contraction_baseline,
        null as recent_contraction
    from nps

    union all

    select
        account_id,
        as_of_date,
        null as is_current,
        null as active_users_30d,
        null as active_users_90d,
        null as events_30d,
        null as events_prior_30d,
        null as events_90d,
        null as last_activity_date,
        null as key_features_adopted_30d,
        null as key_features_adopted_90d,
        null as tickets_30d,
        null as tickets_90d,
        null as high_priority_tickets_90d,
        null as open_tickets,
        null as latest_nps_score,
        null as nps_90d_avg,
        null as nps_responses_90d,
        licensed_seats,
        overdue_invoices,
        mrr_usd,
        mrr_usd_contraction_baseline,
        recent_contraction
    from billing

),

combined as (

    -- One row per spine row: every part has at most one row per account
    -- and as-of date (unique_combination tests), so max() picks it;
    -- only rows of the spine are kept.
    select
        account_id,
        as_of_date,
        max(is_current) as is_current,
        max(active_users_30d) as active_users_30d,
        max(active_users_90d) as active_users_90d,
        max(events_30d) as events_30d,
        max(events_prior_30d) as events_prior_30d,
        max(events_90d) as events_90d,
        max(last_activity_date) as last_activity_date,
        max(key_features_adopted_30d) as key_features_adopted_30d,
        max(key_features_adopted_90d) as key_features_adopted_90d,
        max(tickets_30d) as tickets_30d,
        max(tickets_90d) as tickets_90d,
        max(high_priority_tickets_90d) as high_priority_tickets_90d,
        max(open_tickets) as open_tickets,
        max(latest_nps_score) as latest_nps_score,
        max(nps_90d_avg) as nps_90d_avg,
        max(nps_responses_90d) as nps_responses_90d,
        max(licensed_seats) as licensed_seats,
        max(overdue_invoices) as overdue_invoices,
        max(mrr_usd) as mrr_usd,
        max(mrr_usd_contraction_baseline) as mrr_usd_contraction_baseline,
        max(recent_contraction) as recent_contraction
    from parts
    group by 1, 2
    having max(case when is_current is not null then 1 else 0 end) = 1

),

joined as (

    select
        account_id,
        as_of_date,
        is_current,
        coalesce(active_users_30d, 0) as active_users_30d,
        coalesce(active_users_90d, 0) as active_users_90d,
        licensed_seats,
        coalesce(key_features_adopted_30d, 0) as key_features_adopted_30d,
        coalesce(key_features_adopted_90d, 0) as key_features_adopted_90d,
        coalesce(events_30d, 0) as events_30d,
        coalesce(events_prior_30d, 0) as events_prior_30d,
        coalesce(events_90d, 0) as events_90d,
        last_activity_date,
        coalesce(tickets_30d, 0) as tickets_30d,
        coalesce(tickets_90d, 0) as tickets_90d,
        coalesce(high_priority_tickets_90d, 0) as high_priority_tickets_90d,
        coalesce(open_tickets, 0) as open_tickets,
        latest_nps_score,
        nps_90d_avg,
        coalesce(nps_responses_90d, 0) as nps_responses_90d,
        coalesce(overdue_invoices, 0) as overdue_invoices,
        mrr_usd,
        mrr_usd_contraction_baseline,
        coalesce(recent_contraction, false) as recent_contraction
    from combined

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
