{#-
    Candidate churn behaviours present on a date, long: one row per account,
    as-of date and behaviour_key the account shows on that date, with the
    metric behind it. Every candidate is evaluated on every row of the
    weekly spine; the absent ones get no row (they were nine rows in ten).
    The list of candidates is int_behaviour_candidate_keys.
    Per key feature of the event_catalog seed (data, not columns):
      stopped_<feature>  used in days as_of-89..as_of-30, not in the last 30
                         days; metric = events in days as_of-89..as_of-30.
      declined_<feature> used in the prior 30 days, and the last 30 days
                         have less than `behaviour_feature_decline_ratio`
                         of it; metric = 30d / prior 30d.
    Account-wide (macro behaviour_account_candidates; thresholds are vars
    of the behaviour section): usage_decline, low_seat_utilisation,
    no_activity_14d, high_priority_tickets, nps_detractor, overdue_invoice,
    recent_contraction, few_active_users.
    The int_churn_indicator_lift model measures which of them precede churn.

    Incremental on DuckDB (a table on Spark; macros/as_of_fingerprints.sql):
    each as-of date is stored with the fingerprint of the behaviour panel's
    rows of that date (their inputs_fingerprint, which covers the spine,
    every part and the key-feature rows read here), this file, the
    expanded account candidates and the var it reads; a run recomputes the
    dates whose fingerprint is new or changed (a daily run within a week:
    the open date and the dates whose inputs changed). Only present
    behaviours have rows, so a recomputed date can come out empty; one
    marker row per recomputed date (account_id null) makes the
    delete+insert replace the date all the same, and the post-hook deletes
    the markers.
-#}
{{ config(**as_of_fingerprint_config(
    spine='int_account_behaviour_weekly', empty_dates=true)) }}
{%- set incremental = as_of_fingerprint_is_incremental() %}
{%- set float_type = behaviour_type_float() -%}
{%- set version = model_code_md5(
    tojson(behaviour_account_candidates()) ~ float_type
    ~ vars_text(['behaviour_feature_decline_ratio'])) %}
with

{{ as_of_fingerprint_ctes(
    [('int_account_behaviour_weekly', ['inputs_fingerprint'])],
    version, incremental) }},

behaviour as (

    select * from {{ ref('int_account_behaviour_weekly') }}
    {{ as_of_recomputed_only(incremental) }}

),

feature_usage as (

    select * from {{ ref('int_account_feature_usage_weekly') }}
    {{ as_of_recomputed_only(incremental) }}

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

    {% for candidate in behaviour_account_candidates() %}
        select
            account_id,
            as_of_date,
            is_current,
            '{{ candidate.key }}' as behaviour_key,
            {{ candidate.is_present }} as is_present,
            cast({{ candidate.metric }} as {{ float_type }}) as metric_value
        from behaviour
        {% if not loop.last %}
            union all
        {% endif %}
    {%- endfor %}

),

evaluated as (

    select * from feature_candidates
    union all
    select * from account_candidates

),

-- Present behaviours only: about a tenth of the evaluated rows (12.3 M of
-- 124.7 M at 100,000 accounts). An absent behaviour is a spine row without
-- a row here (int_churn_indicator_lift).
final as (

    select
        evaluated.account_id,
        evaluated.as_of_date,
        evaluated.is_current,
        evaluated.behaviour_key,
        evaluated.metric_value,
        recompute_dates.inputs_fingerprint,
        {{ run_started_at_timestamp() }} as loaded_at
    from evaluated
    inner join recompute_dates
        on evaluated.as_of_date = recompute_dates.as_of_date
    where evaluated.is_present = true

    {% if incremental -%}
        union all

        -- a marker per recomputed date: replaces a date that comes out
        -- empty (deleted by the post-hook, never kept)
        select
            cast(null as {{ dbt.type_string() }}) as account_id,
            recompute_dates.as_of_date,
            cast(null as boolean) as is_current,
            cast(null as {{ dbt.type_string() }}) as behaviour_key,
            cast(null as {{ float_type }}) as metric_value,
            recompute_dates.inputs_fingerprint,
            {{ run_started_at_timestamp() }} as loaded_at
        from recompute_dates
    {%- endif %}

)

select * from final
