{#-
    The as-of date, resolved once per invocation by the one-row model
    `stg_raw__as_of_date` (var `as_of_date`, or inferred from the raw data
    with the future-dated guard; see that model). Models read it through
    these macros, which return a scalar subquery on that model: the
    dependency is a `ref`, so lineage shows it, and no macro scans raw files
    at compile time. The wall clock is never read. DuckDB plans such a
    subquery in a row check as a nested-loop join over every row: the model
    over every usage row (`base_raw__usage_events`) joins the one row
    instead; for the other tables the cost is small.
-#}
{% macro as_of_date() -%}
    (select as_of_date from {{ ref('stg_raw__as_of_date') }})
{%- endmacro %}


{#- The day after which a usage event is `future_dated` (the latest billing
    activity plus var `as_of_future_margin_days`); null = no guard. -#}
{% macro as_of_future_dated_after() -%}
    (select future_dated_after from {{ ref('stg_raw__as_of_date') }})
{%- endmacro %}


{#- The configured as-of date as a SQL date, or null when unset. Stops with
    one message when the var is not a YYYY-MM-DD date. -#}
{% macro as_of_date_configured() -%}
    {%- set configured = var('as_of_date', none) -%}
    {%- if configured is none or configured | string | trim == '' -%}
        {{- 'cast(null as date)' -}}
    {%- else -%}
        {%- set text = configured | string | trim -%}
        {%- if not modules.re.match('^[0-9]{4}-[0-9]{2}-[0-9]{2}$', text)
            and not execute -%}
            {#- While dbt parses: no SQL from the var; the on-run-start hook
                validate_settings then stops the run with its message. -#}
            {{ return('cast(null as date)') }}
        {%- elif not modules.re.match('^[0-9]{4}-[0-9]{2}-[0-9]{2}$', text) -%}
            {{ exceptions.raise_compiler_error(
                "Setting as_of_date must be a date YYYY-MM-DD, got '"
                ~ text ~ "'.") }}
        {%- endif -%}
        {{- "cast('" ~ text ~ "' as date)" -}}
    {%- endif -%}
{%- endmacro %}


{#- Post-hook of stg_raw__as_of_date: stops the run with one message when no
    date could be resolved, and logs the date with its source, so every
    build says which date it computed and why. -#}
{% macro as_of_date_report() -%}
    {%- if execute -%}
        {%- set row = run_query(
            "select cast(as_of_date as " ~ dbt.type_string() ~ "), "
            ~ "as_of_date_source, "
            ~ "cast(future_dated_usage_rows as " ~ dbt.type_string() ~ "), "
            ~ "cast(future_dated_after as " ~ dbt.type_string() ~ ") "
            ~ "from " ~ this).rows[0] -%}
        {%- if row[0] is none -%}
            {{ exceptions.raise_compiler_error(
                "Cannot infer as_of_date: usage_events, invoices and "
                ~ "subscriptions have no usable date. Set it with "
                ~ "--vars '{as_of_date: YYYY-MM-DD}'.") }}
        {%- endif -%}
        {%- set message = "as-of date " ~ row[0] ~ " (source: " ~ row[1]
            ~ ")" -%}
        {%- if row[2] is not none and row[2] | int > 0 -%}
            {%- set message = message ~ "; " ~ row[2]
                ~ " usage events dated after " ~ row[3]
                ~ " quarantined as future_dated" -%}
        {%- endif -%}
        {{ log(message, info=true) }}
    {%- endif -%}
    select 1 as as_of_date_reported
{%- endmacro %}


{#- Rows digit = 0..9 (int_as_of_dates counts weeks back with them). -#}
{% macro as_of_digits() -%}
    {%- for digit in range(10) %}
    select {{ digit }} as digit
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
{%- endmacro %}


{#- The weekdays var `week_ends_on` may name (int_as_of_dates). -#}
{% macro as_of_weekdays() -%}
    {{ return(['monday', 'tuesday', 'wednesday', 'thursday', 'friday',
        'saturday', 'sunday']) }}
{%- endmacro %}

{#- Days from the latest week end (var `week_ends_on`) on or before the date
    `date_expr` to that date: 0 on a week end, up to 6. 1970-01-05 was a
    Monday, so the days since then modulo 7 are the ISO weekday minus 1 on
    any engine (no dialect's weekday function). A value validate_settings
    rejects never reaches a query; the fallback only keeps parsing quiet. -#}
{% macro as_of_days_since_week_end(date_expr) -%}
    {%- set weekdays = as_of_weekdays() -%}
    {%- set name = var('week_ends_on', 'sunday') | string | lower -%}
    {%- set week_end = weekdays.index(name) if name in weekdays else 6 -%}
    ((({{ dbt.datediff("cast('1970-01-05' as date)", date_expr, 'day') }})
        - {{ week_end }}) % 7 + 7) % 7
{%- endmacro %}
