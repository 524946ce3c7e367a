{#-
    History semantics (README "Restated history and the as-published log").
    fct_segment_membership_published stores, with every published row, a
    fingerprint of the rules in force: the segment catalog and every var
    that changes which segment an account is in. These lists name them; a
    var in dbt_project.yml must be in exactly one of the two (checked by
    e2e/test_history.py).
-#}

{#- Vars that decide segments: part of the rules fingerprint. -#}
{% macro history_rule_vars() %}
    {{ return([
        'history_weeks', 'week_ends_on',
        'value_tier_method', 'value_tier_arr_bands', 'value_tier_percentiles',
        'value_tier_employee_bump_min',
        'lifecycle_onboarding_days', 'lifecycle_activation_active_users',
        'lifecycle_activation_window_days', 'lifecycle_renewal_window_days',
        'lifecycle_reactivated_days', 'lifecycle_mature_months',
        'lifecycle_veteran_months',
        'behaviour_usage_decline_ratio', 'behaviour_feature_decline_ratio',
        'behaviour_low_seat_utilisation', 'behaviour_inactive_days',
        'behaviour_high_priority_tickets_min', 'behaviour_nps_detractor_max',
        'behaviour_few_active_users_max',
        'behaviour_contraction_lookback_days',
        'indicator_lead_days', 'indicator_min_lift',
        'indicator_min_churned_with', 'indicator_min_churned_accounts',
        'outcome_achieved_attainment', 'outcome_on_track_pace',
        'outcome_goal_lookback_days', 'outcome_achieving_share',
        'outcome_not_achieving_share',
        'segment_catalog', 'segment_churn_risk_min_flags',
        'segment_churn_risk_min_score',
        'segment_healthy_usage_min_seat_utilisation',
        'segment_healthy_usage_min_key_features', 'segment_high_value_tiers',
        'segment_renewal_at_risk_window_days',
        'segment_missing_outcome_statuses',
        'segment_ready_to_expand_min_seat_utilisation',
        'segment_ready_to_expand_blocking_outcome_statuses',
        'segment_exclusive_dimensions',
    ]) }}
{% endmacro %}

{#- Vars that do not change segments (input, as-of date, operations, test
    expectations, the reports beside the segments: backtest, weekly
    changes, data quality, and the rounding of the evidence text): left out
    of the fingerprint. -#}
{% macro history_operational_vars() %}
    {{ return([
        'raw_dir', 'raw_format', 'as_of_date', 'as_of_future_margin_days',
        'usage_daily_lookback_days', 'usage_daily_detect_changed_days',
        'data_tests_check_all_rows',
        'segments_documented_empty',
        'backtest_horizons_days', 'backtest_relearn_every_weeks',
        'backtest_tradeoff_min_flags', 'backtest_tradeoff_min_scores',
        'segment_changes_as_of_date', 'segment_evidence_decimals',
        'dq_severity', 'dq_severity_by_check',
        'dq_usage_before_account_start_max_share',
        'dq_overlapping_paid_subscriptions_max_share',
        'dq_usage_user_in_other_account_max_share',
        'dq_invoice_subscription_in_other_account_max_share',
        'dq_after_as_of_date_max_share', 'dq_non_iso_country_max_share',
        'dq_event_not_in_catalog_max_share',
    ]) }}
{% endmacro %}

{#- The rules as text, one `name=json value` line per rule var. -#}
{% macro history_rules_text() %}
    {{ return(vars_text(history_rule_vars())) }}
{% endmacro %}

{#- The values of the vars named, a line each (name=json): what the
    fingerprint of a model that reads them takes (macros/as_of_fingerprints.sql).
    A model lists the vars it reads by name, so the segment diff
    (cs_segments/diff.py) finds it among their readers. -#}
{% macro vars_text(names) %}
    {%- set lines = [] -%}
    {%- for name in names -%}
        {%- do lines.append(name ~ '=' ~ tojson(var(name), sort_keys=true)) -%}
    {%- endfor -%}
    {{ return(lines | join('\n')) }}
{% endmacro %}

{#- SQL expression: md5 of the rules text (hex string). -#}
{% macro history_rules_fingerprint() -%}
    {{ dbt.hash("'" ~ history_rules_text() | replace("'", "''") ~ "'") }}
{%- endmacro %}
