{#-
    on-run-start check of every setting (dbt var) before anything reads data
    or runs SQL: as_of_date is a real YYYY-MM-DD date, raw_format one of its
    values, raw_dir a non-empty path, every numeric threshold a number (not
    text) in its range, every list var a list of known values. Stops the run
    with one message naming each bad setting. Values that pass are numbers or
    known words, so they can be written into SQL; paths and dates still go
    through cs_sql_string() (below) where they reach SQL.
-#}

{#- Numeric vars: (name, integer only, minimum, maximum, may be null). -#}
{% macro settings_numeric_vars() %}
    {{ return([
        ('history_weeks', true, 1, 5200, false),
        ('value_tier_employee_bump_min', true, 0, 1000000000, true),
        ('lifecycle_onboarding_days', true, 0, 3650, false),
        ('lifecycle_activation_active_users', true, 1, 1000000, false),
        ('lifecycle_activation_window_days', true, 1, 3650, false),
        ('lifecycle_renewal_window_days', true, 0, 3650, false),
        ('lifecycle_reactivated_days', true, 0, 3650, false),
        ('lifecycle_mature_months', true, 1, 1200, false),
        ('lifecycle_veteran_months', true, 1, 1200, false),
        ('usage_daily_lookback_days', true, 0, 3650, false),
        ('behaviour_usage_decline_ratio', false, 0, 1, false),
        ('behaviour_feature_decline_ratio', false, 0, 1, false),
        ('behaviour_low_seat_utilisation', false, 0, 1, false),
        ('behaviour_inactive_days', true, 1, 3650, false),
        ('behaviour_high_priority_tickets_min', true, 1, 1000000, false),
        ('behaviour_nps_detractor_max', true, 0, 10, false),
        ('behaviour_few_active_users_max', true, 0, 1000000, false),
        ('behaviour_contraction_lookback_days', true, 1, 3650, false),
        ('indicator_lead_days', true, 0, 3650, false),
        ('indicator_min_lift', false, 0, 1000000, false),
        ('indicator_min_churned_with', true, 0, 1000000000, false),
        ('indicator_min_churned_accounts', true, 0, 1000000000, false),
        ('outcome_achieved_attainment', false, 0, 100, false),
        ('outcome_on_track_pace', false, 0, 100, false),
        ('outcome_goal_lookback_days', true, 0, 36500, false),
        ('outcome_achieving_share', false, 0, 1, false),
        ('outcome_not_achieving_share', false, 0, 1, false),
        ('segment_churn_risk_min_flags', true, 1, 1000, false),
        ('segment_churn_risk_min_score', false, 0, 1000000, false),
        ('segment_healthy_usage_min_seat_utilisation', false, 0, 1, false),
        ('segment_healthy_usage_min_key_features', true, 0, 1000, false),
        ('segment_renewal_at_risk_window_days', true, 0, 3650, false),
        ('segment_ready_to_expand_min_seat_utilisation', false, 0, 1, false),
        ('as_of_future_margin_days', true, 0, 36500, false),
        ('backtest_relearn_every_weeks', true, 1, 520, false),
        ('dq_usage_before_account_start_max_share', false, 0, 1, false),
        ('dq_overlapping_paid_subscriptions_max_share', false, 0, 1, false),
        ('dq_usage_user_in_other_account_max_share', false, 0, 1, false),
        ('dq_invoice_subscription_in_other_account_max_share',
            false, 0, 1, false),
        ('dq_after_as_of_date_max_share', false, 0, 1, false),
        ('dq_non_iso_country_max_share', false, 0, 1, false),
        ('dq_event_not_in_catalog_max_share', false, 0, 1, false),
    ]) }}
{% endmacro %}

{#- List vars: (name, allowed values; none = the segment catalog keys). -#}
{% macro settings_list_vars() %}
    {%- set tiers = ['strategic', 'enterprise', 'growth', 'long_tail'] -%}
    {%- set statuses = [
        'achieving', 'partially_achieving', 'not_achieving', 'no_goals'] -%}
    {{ return([
        ('segment_high_value_tiers', tiers),
        ('segment_missing_outcome_statuses', statuses),
        ('segment_ready_to_expand_blocking_outcome_statuses', statuses),
        ('segment_exclusive_dimensions',
            ['value', 'lifecycle', 'outcome', 'behaviour', 'composite']),
        ('segments_documented_empty', none),
    ]) }}
{% endmacro %}

{#- True for an int or float, false for text, booleans and null. -#}
{% macro settings_is_number(value) %}
    {{ return(value is number and value is not boolean) }}
{% endmacro %}

{#- Problem text for a YYYY-MM-DD value that is not a real date, or ''. -#}
{% macro settings_date_problem(name, value) %}
    {%- set text = value | string -%}
    {%- set shown = text if text | length <= 40 else text[:40] ~ '...' -%}
    {%- if not modules.re.match('^[0-9]{4}-[0-9]{2}-[0-9]{2}$', text) -%}
        {{ return(name ~ " must be a date written YYYY-MM-DD, got '"
            ~ shown ~ "'") }}
    {%- endif -%}
    {%- set year = text[0:4] | int -%}
    {%- set month = text[5:7] | int -%}
    {%- set day = text[8:10] | int -%}
    {%- set leap = (year % 4 == 0 and year % 100 != 0) or year % 400 == 0 -%}
    {%- set month_days = [31, 29 if leap else 28, 31, 30, 31, 30,
        31, 31, 30, 31, 30, 31] -%}
    {%- if year < 1900 or month < 1 or month > 12
        or day < 1 or day > month_days[month - 1] -%}
        {{ return(name ~ " must be a real date (YYYY-MM-DD, year 1900 or "
            ~ "later), got '" ~ shown ~ "'") }}
    {%- endif -%}
    {{ return('') }}
{% endmacro %}

{#- Every problem of the current settings, as a list of messages. -#}
{% macro settings_problems() %}
    {%- set problems = [] -%}

    {%- set as_of = var('as_of_date', none) -%}
    {%- if as_of is not none and as_of != '' -%}
        {%- set problem = settings_date_problem('as_of_date', as_of) -%}
        {%- if problem -%}{%- do problems.append(problem) -%}{%- endif -%}
    {%- endif -%}

    {%- set fmt = var('raw_format', env_var('CS_RAW_FORMAT', 'parquet')) -%}
    {%- if fmt not in ['parquet', 'csv'] -%}
        {%- do problems.append(
            "raw_format (env CS_RAW_FORMAT) must be parquet or csv, got '"
            ~ fmt ~ "'") -%}
    {%- endif -%}

    {%- set dir = var('raw_dir', env_var('CS_RAW_DIR', 'data/demo')) -%}
    {%- if dir is not string or dir | trim == '' -%}
        {%- do problems.append(
            "raw_dir (env CS_RAW_DIR) must be a folder path, got '"
            ~ dir ~ "'") -%}
    {%- elif '\n' in dir or '\r' in dir or '\x00' in dir -%}
        {%- do problems.append(
            "raw_dir (env CS_RAW_DIR) must not contain line breaks or NUL") -%}
    {%- endif -%}

    {%- for name, integer, minimum, maximum, nullable
        in settings_numeric_vars() -%}
        {%- set value = var(name, none) -%}
        {%- if value is none -%}
            {%- if not nullable -%}
                {%- do problems.append(name ~ " must be set (a number from "
                    ~ minimum ~ " to " ~ maximum ~ ")") -%}
            {%- endif -%}
        {%- elif not settings_is_number(value)
            or (integer and value is not integer)
            or value < minimum or value > maximum -%}
            {%- do problems.append(
                name ~ " must be " ~ ("a whole number" if integer
                    else "a number") ~ " from " ~ minimum ~ " to "
                ~ maximum ~ ", got '" ~ value ~ "'") -%}
        {%- endif -%}
    {%- endfor -%}

    {%- set week_end = var('week_ends_on', none) -%}
    {%- if week_end is not string
        or week_end | lower not in as_of_weekdays() -%}
        {%- do problems.append(
            "week_ends_on must be a weekday name (monday ... sunday), got '"
            ~ week_end ~ "'") -%}
    {%- endif -%}

    {%- set method = var('value_tier_method', none) -%}
    {%- if method not in ['bands', 'percentiles'] -%}
        {%- do problems.append(
            "value_tier_method must be bands or percentiles, got '"
            ~ method ~ "'") -%}
    {%- endif -%}
    {%- for name, maximum in [
        ('value_tier_arr_bands', 1000000000000),
        ('value_tier_percentiles', 1)] -%}
        {%- set bounds = var(name, none) -%}
        {%- set ok = bounds is mapping
            and bounds.keys() | sort | list
                == ['enterprise', 'growth', 'strategic'] -%}
        {%- if ok -%}
            {%- for tier in ['strategic', 'enterprise', 'growth'] -%}
                {%- if not settings_is_number(bounds[tier])
                    or bounds[tier] < 0 or bounds[tier] > maximum -%}
                    {%- set ok = false -%}
                {%- endif -%}
            {%- endfor -%}
        {%- endif -%}
        {%- if ok and not (bounds['strategic'] >= bounds['enterprise']
            and bounds['enterprise'] >= bounds['growth']) -%}
            {%- set ok = false -%}
        {%- endif -%}
        {%- if not ok -%}
            {%- do problems.append(
                name ~ " must map strategic, enterprise and growth to "
                ~ "numbers from 0 to " ~ maximum
                ~ ", strategic >= enterprise >= growth, got '"
                ~ bounds ~ "'") -%}
        {%- endif -%}
    {%- endfor -%}

    {%- set catalog_keys = [] -%}
    {%- for entry in var('segment_catalog', []) -%}
        {%- if entry is mapping -%}
            {%- do catalog_keys.append(entry.get('key')) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- for name, allowed in settings_list_vars() -%}
        {%- set known = catalog_keys if allowed is none else allowed -%}
        {%- set value = var(name, none) -%}
        {%- if value is string or value is mapping
            or value is not iterable -%}
            {%- do problems.append(name ~ " must be a list, e.g. ["
                ~ known[:2] | join(', ') ~ "], got '" ~ value ~ "'") -%}
        {%- else -%}
            {%- set unknown = [] -%}
            {%- for item in value if item not in known -%}
                {%- do unknown.append(item | string) -%}
            {%- endfor -%}
            {%- if unknown -%}
                {%- do problems.append(name ~ " has unknown values "
                    ~ unknown | join(', ') ~ " (known: "
                    ~ known | join(', ') ~ ")") -%}
            {%- endif -%}
        {%- endif -%}
    {%- endfor -%}
    {%- for name in ['usage_daily_detect_changed_days',
        'data_tests_check_all_rows'] -%}
        {%- if var(name) is not boolean -%}
            {%- do problems.append(name ~ " must be true or false, got '"
                ~ var(name) ~ "'") -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(problems) }}
{% endmacro %}

{% macro validate_settings() %}
    {%- set problems = settings_problems() -%}
    {%- if problems -%}
        {{ exceptions.raise_compiler_error(
            "Invalid settings (dbt vars), nothing was run:\n  - "
            ~ problems | join("\n  - ")
            ~ "\nFix them in dbt_project.yml (vars), --vars or the "
            ~ "environment; see the comments beside each var in "
            ~ "dbt_project.yml.") }}
    {%- endif -%}
    {{ return('') }}
{% endmacro %}

{#-
    A text value as a SQL string literal of the current engine, escaped so
    that any value (a folder named o'brien, a crafted setting) stays one
    string: DuckDB and standard SQL double the single quote; Spark SQL
    also treats backslash as an escape character.
-#}
{% macro cs_sql_string(value) -%}
    {{- return(adapter.dispatch('cs_sql_string', 'cs_segments')(value)) -}}
{%- endmacro %}

{% macro default__cs_sql_string(value) -%}
    {{- return("'" ~ (value | string | replace("'", "''")) ~ "'") -}}
{%- endmacro %}

{% macro spark__cs_sql_string(value) -%}
    {{- return("'" ~ (value | string | replace('\\', '\\\\')
        | replace("'", "\\'")) ~ "'") -}}
{%- endmacro %}

{#- A Spark identifier in backticks (for binaryFile.`<dir>`). -#}
{% macro cs_spark_quoted_path(value) -%}
    {{- return('`' ~ (value | string | replace('`', '``')) ~ '`') -}}
{%- endmacro %}
