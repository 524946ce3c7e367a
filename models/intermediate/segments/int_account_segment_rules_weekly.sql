{#-
    The segment rules, once: one row per account and as-of date with the
    inputs every segment rule reads (from the four dimension panels) and one
    boolean rule column is_<key> per catalog segment: generated from the
    catalog for value / lifecycle / outcome segments, written here for
    behaviour and composite ones. The membership model
    (int_account_segment_membership_weekly) turns this into one row per
    account, week and segment; tests/segments/
    assert_rule_columns_match_catalog.sql checks that the is_* columns and
    the catalog keys agree. Helper booleans that are not a segment's rule
    are named has_*. Thresholds are the segment_* vars in
    dbt_project.yml; their meaning is in the segment catalog there.
    Spine: the value panel (every account that existed on the as-of date).
    Incremental on DuckDB (a table on Spark), replaced per as-of date by the
    fingerprint of its inputs (macros/as_of_fingerprints.sql, as
    int_account_behaviour_weekly): each row keeps inputs_fingerprint, the
    sum of a hash of every row its date reads from the five panels (the
    columns read here) with the model's code, the expanded rule macros and
    every var that decides segments (history_rules_text); a run recomputes
    only the dates whose fingerprint is new or changed. The learned flags
    change only when a week closes (int_churn_indicator_lift learns from
    the events up to the latest week end), so a daily run within a week
    recomputes the open date and the dates whose inputs changed; the run
    after a week closes, when the indicators are learned again, recomputes
    the dates whose flags changed (usually all).
-#}
{{ config(**as_of_fingerprint_config(
    spine='int_account_value_weekly', on_schema_change='sync_all_columns')) }}
{%- set incremental = as_of_fingerprint_is_incremental() %}
{%- set high_value_tiers = var('segment_high_value_tiers') -%}
{%- set missing_outcome_statuses = var('segment_missing_outcome_statuses') -%}
{%- set expansion_blocking_statuses = var(
    'segment_ready_to_expand_blocking_outcome_statuses', []) -%}
{#- The inputs fingerprinted per as-of date: each relation and the columns
    of its rows read here besides account_id and as_of_date. -#}
{%- set fingerprinted_inputs = [
    ('int_account_value_weekly', [
        'is_current', 'value_tier', 'value_tier_rank', 'arr_usd',
        'licensed_seats',
    ]),
    ('int_account_lifecycle_weekly', [
        'lifecycle_stage', 'days_to_term_end', 'current_term_end_date',
    ]),
    ('int_account_behaviour_weekly', [
        'active_users_30d', 'seat_utilisation_30d', 'key_features_adopted_30d',
    ]),
    ('int_account_behaviour_flags_weekly', ['behaviour_key', 'lift']),
    ('int_account_outcomes_weekly', [
        'outcome_status', 'goals_total', 'goals_succeeding',
    ]),
] -%}
{#- What decides a row besides its inputs: this file, the expanded macros
    it calls and the vars that decide segments. -#}
{%- set version = model_code_md5(
    history_rules_text()
    ~ segment_dimension_rules()
    ~ segment_listagg('behaviour_key', ['behaviour_key'])) -%}
{#- An incremental run reads only the as-of dates it recomputes. -#}
{%- set recomputed_only = as_of_recomputed_only(incremental) %}
with

-- The dates to compute: every date in a full build; in an incremental run
-- the dates whose fingerprint is new or changed.
{{ as_of_fingerprint_ctes(fingerprinted_inputs, version, incremental) }},

account_value as (

    select
        account_id,
        as_of_date,
        is_current,
        value_tier,
        value_tier_rank,
        arr_usd,
        licensed_seats
    from {{ ref('int_account_value_weekly') }}
    {{ recomputed_only }}

),

account_lifecycle as (

    select
        account_id,
        as_of_date,
        lifecycle_stage,
        days_to_term_end,
        current_term_end_date
    from {{ ref('int_account_lifecycle_weekly') }}
    {{ recomputed_only }}

),

account_behaviour as (

    select
        account_id,
        as_of_date,
        active_users_30d,
        seat_utilisation_30d,
        key_features_adopted_30d
    from {{ ref('int_account_behaviour_weekly') }}
    {{ recomputed_only }}

),

behaviour_flags as (

    select
        account_id,
        as_of_date,
        behaviour_key,
        lift
    from {{ ref('int_account_behaviour_flags_weekly') }}
    {{ recomputed_only }}

),

account_outcomes as (

    select
        account_id,
        as_of_date,
        outcome_status,
        goals_total,
        goals_succeeding
    from {{ ref('int_account_outcomes_weekly') }}
    {{ recomputed_only }}

),

churn_flags_per_account as (

    select
        account_id,
        as_of_date,
        count(*) as churn_flag_count,
        -- rounded: a sum of doubles depends on row order, and the score is
        -- compared with a threshold and printed in the evidence
        round(sum(coalesce(lift, 0)), 6) as churn_risk_score,
        {{ segment_listagg('behaviour_key', ['behaviour_key']) }}
            as churn_flags
    from behaviour_flags
    group by 1, 2

),

inputs as (

    select
        account_value.account_id,
        account_value.as_of_date,
        account_value.is_current,
        account_value.value_tier,
        account_value.value_tier_rank,
        account_value.arr_usd,
        account_value.licensed_seats,
        account_lifecycle.lifecycle_stage,
        account_lifecycle.days_to_term_end,
        account_lifecycle.current_term_end_date,
        account_behaviour.active_users_30d,
        account_behaviour.seat_utilisation_30d,
        account_behaviour.key_features_adopted_30d,
        account_outcomes.outcome_status,
        account_outcomes.goals_total,
        account_outcomes.goals_succeeding,
        coalesce(churn_flags_per_account.churn_flag_count, 0)
            as churn_flag_count,
        coalesce(churn_flags_per_account.churn_risk_score, 0)
            as churn_risk_score,
        churn_flags_per_account.churn_flags
    from account_value
    left join account_lifecycle
        on
            account_value.account_id = account_lifecycle.account_id
            and account_value.as_of_date = account_lifecycle.as_of_date
    left join account_behaviour
        on
            account_value.account_id = account_behaviour.account_id
            and account_value.as_of_date = account_behaviour.as_of_date
    left join account_outcomes
        on
            account_value.account_id = account_outcomes.account_id
            and account_value.as_of_date = account_outcomes.as_of_date
    left join churn_flags_per_account
        on
            account_value.account_id = churn_flags_per_account.account_id
            and account_value.as_of_date = churn_flags_per_account.as_of_date

),

dimension_rules as (

    select
        *,
        {{ segment_dimension_rules() | indent(8) }}
    from inputs

),

account_states as (

    select
        *,
        coalesce(
            outcome_status in {{ segment_literal_list(
                missing_outcome_statuses) }},
            false
        ) as has_missing_outcomes,
        {% if expansion_blocking_statuses | length > 0 -%}
            coalesce(
                outcome_status in {{ segment_literal_list(
                    expansion_blocking_statuses) }},
                false
            )
        {%- else -%}
            false
        {%- endif %} as has_expansion_blocking_outcome,
        coalesce(lifecycle_stage = 'churned', false) as has_churned
    from dimension_rules

),

behaviour_rules as (

    select
        *,
        coalesce(
            (
                churn_flag_count >= {{ var('segment_churn_risk_min_flags') }}
                or churn_risk_score
                >= {{ var('segment_churn_risk_min_score') }}
            )
            and has_churned = false,
            false
        ) as is_behaviour_churn_risk,
        coalesce(
            seat_utilisation_30d
            >= {{ var('segment_healthy_usage_min_seat_utilisation') }}
            and key_features_adopted_30d
            >= {{ var('segment_healthy_usage_min_key_features') }},
            false
        ) as is_behaviour_healthy_usage
    from account_states

),

composite_rules as (

    select
        *,
        coalesce(
            value_tier in {{ segment_literal_list(high_value_tiers) }}
            and is_behaviour_churn_risk = true,
            false
        ) as is_high_value_at_risk,
        coalesce(
            days_to_term_end >= 0
            and days_to_term_end
            <= {{ var('segment_renewal_at_risk_window_days') }}
            and (is_behaviour_churn_risk = true or has_missing_outcomes = true)
            and has_churned = false,
            false
        ) as is_renewal_at_risk,
        coalesce(
            is_behaviour_healthy_usage = true and has_missing_outcomes = true,
            false
        ) as is_healthy_usage_missing_outcomes,
        coalesce(
            seat_utilisation_30d
            >= {{ var('segment_ready_to_expand_min_seat_utilisation') }}
            and is_behaviour_churn_risk = false
            and has_expansion_blocking_outcome = false
            and has_churned = false,
            false
        ) as is_ready_to_expand
    from behaviour_rules

),

all_rules as (

    select
        *,
        coalesce(
            value_tier = 'long_tail' and is_ready_to_expand = true, false
        ) as is_long_tail_ready_to_expand
    from composite_rules

),

final as (

    select
        all_rules.*,
        recompute_dates.inputs_fingerprint,
        {{ run_started_at_timestamp() }} as loaded_at
    from all_rules
    inner join recompute_dates
        on all_rules.as_of_date = recompute_dates.as_of_date

)

select * from final
