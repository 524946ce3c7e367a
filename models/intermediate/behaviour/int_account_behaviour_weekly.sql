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
{#- The parts stacked in `parts` below: each CTE and the columns it adds
    (the spine adds is_current, which marks its rows). -#}
{%- set stacked_parts = [
    ('account_weeks', ['is_current']),
    ('usage', [
        'active_users_30d', 'active_users_90d', 'events_30d',
        'events_prior_30d', 'events_90d', 'last_activity_date',
    ]),
    ('key_features_adopted', [
        'key_features_adopted_30d', 'key_features_adopted_90d',
    ]),
    ('support', [
        'tickets_30d', 'tickets_90d', 'high_priority_tickets_90d',
        'open_tickets',
    ]),
    ('nps', ['latest_nps_score', 'nps_90d_avg', 'nps_responses_90d']),
    ('billing', [
        'licensed_seats', 'overdue_invoices', 'mrr_usd',
        'mrr_usd_contraction_baseline', 'recent_contraction',
    ]),
] -%}
{%- set stacked_columns = [] -%}
{%- for part, columns in stacked_parts -%}
    {%- for column in columns -%}
        {%- do stacked_columns.append(column) -%}
    {%- endfor -%}
{%- endfor %}
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

    -- The spine and each part, one branch each (its own columns, null
    -- for every other one), grouped below: see "Memory" in the header.
    {% for part, columns in stacked_parts %}
        select
            account_id,
            as_of_date,
            {% for column in stacked_columns -%}
                {% if column in columns -%}
                    {{ column }}
                {%- else -%}
                    null as {{ column }}
                {%- endif %}
                {%- if not loop.last %},{% endif %}
            {% endfor -%}
        from {{ part }}
        {% if not loop.last %}
            union all
        {% endif %}
    {%- endfor %}

),

combined as (

    -- One row per spine row: every part has at most one row per account
    -- and as-of date (unique_combination tests), so max() picks it;
    -- only rows of the spine are kept.
    select
        account_id,
        as_of_date,
        {% for column in stacked_columns -%}
            max({{ column }}) as {{ column }}
            {%- if not loop.last %},{% endif %}
        {% endfor -%}
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
