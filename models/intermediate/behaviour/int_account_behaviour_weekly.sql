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
    Incremental on DuckDB (macros/as_of_fingerprints.sql):
    each as-of date is stored with inputs_fingerprint, the sum of a hash of
    every row of its inputs on that date (the spine and the five parts,
    the columns read here, and the code of this model); a run recomputes
    only the as-of dates whose fingerprint is new or changed, so a daily
    run recomputes the open date and the dates its parts changed (late
    rows, a moved grid) instead of every date; every date when the code
    changes. Fingerprinting reads each input once (a grouped sum per date),
    about 1 s of the 22 s the whole panel took at 100,000 accounts.
-#}
{{ config(**as_of_fingerprint_config()) }}
{%- set incremental = as_of_fingerprint_is_incremental() %}
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
{#- The inputs fingerprinted per as-of date: each relation and the
    columns of its rows read here besides account_id and as_of_date (the
    feature panel: one row per key feature, events_30d and events_90d, and
    events_prior_30d, which only int_account_behaviour_candidates_weekly
    reads: it keys its dates on this model's fingerprint). -#}
{%- set fingerprinted_inputs = [
    ('int_account_weeks', ['is_current']),
    ('int_account_feature_usage_weekly', [
        'event_name', 'events_30d', 'events_90d', 'events_prior_30d',
    ]),
] -%}
{%- for part, columns in stacked_parts[1:] if part != 'key_features_adopted' -%}
    {%- do fingerprinted_inputs.append(
        ('int_account_' ~ part ~ '_weekly', columns)) -%}
{%- endfor -%}
{#- What decides a row besides its inputs: this file and the expanded
    macros it calls. -#}
{%- set version = model_code_md5(
    behaviour_type_float()
    ~ dbt.datediff('last_activity_date', 'as_of_date', 'day')) -%}
{#- An incremental run reads only the as-of dates it recomputes. -#}
{%- set recomputed_only = as_of_recomputed_only(incremental) -%}
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

{{ as_of_fingerprint_ctes(fingerprinted_inputs, version, incremental) }},

key_features_adopted as (

    select
        account_id,
        as_of_date,
        sum(case when events_30d > 0 then 1 else 0 end)
            as key_features_adopted_30d,
        sum(case when events_90d > 0 then 1 else 0 end)
            as key_features_adopted_90d
    from feature_usage
    {{ recomputed_only }}
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
        {% if part != 'key_features_adopted' %}
            {{ recomputed_only }}
        {% endif %}
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
        joined.account_id,
        joined.as_of_date,
        joined.is_current,
        cast(joined.active_users_30d as bigint) as active_users_30d,
        cast(joined.active_users_90d as bigint) as active_users_90d,
        joined.licensed_seats,
        case
            when joined.licensed_seats > 0
                then
                    cast(
                        joined.active_users_30d
                        as {{ behaviour_type_float() }}
                    )
                    / joined.licensed_seats
        end as seat_utilisation_30d,
        cast(joined.key_features_adopted_30d as integer)
            as key_features_adopted_30d,
        cast(joined.key_features_adopted_90d as integer)
            as key_features_adopted_90d,
        cast(joined.events_30d as bigint) as events_30d,
        cast(joined.events_prior_30d as bigint) as events_prior_30d,
        cast(joined.events_90d as bigint) as events_90d,
        case
            when joined.events_prior_30d > 0
                then
                    cast(joined.events_30d as {{ behaviour_type_float() }})
                    / joined.events_prior_30d
        end as usage_trend_ratio,
        joined.last_activity_date,
        {{ dbt.datediff(
            'joined.last_activity_date', 'joined.as_of_date', 'day') }}
            as days_since_last_activity,
        cast(joined.tickets_30d as integer) as tickets_30d,
        cast(joined.tickets_90d as integer) as tickets_90d,
        cast(joined.high_priority_tickets_90d as integer)
            as high_priority_tickets_90d,
        cast(joined.open_tickets as integer) as open_tickets,
        joined.latest_nps_score,
        joined.nps_90d_avg,
        cast(joined.nps_responses_90d as integer) as nps_responses_90d,
        cast(joined.overdue_invoices as integer) as overdue_invoices,
        joined.mrr_usd,
        joined.mrr_usd_contraction_baseline,
        joined.recent_contraction,
        recompute_dates.inputs_fingerprint
    from joined
    inner join recompute_dates
        on joined.as_of_date = recompute_dates.as_of_date

)

select * from final
