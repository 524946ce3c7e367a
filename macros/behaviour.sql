{#-
    Macros of the behaviour dimension (models/intermediate/behaviour).
-#}

{#-
    Materialization config of int_usage_daily, by adapter. The model is
    incremental: each run re-reads the last `usage_daily_lookback_days` days
    and every older day whose staged total changed (late events), and
    replaces those days whole.
    - DuckDB, Postgres and others: delete+insert keyed on activity_date (all
      rows of a re-read day are deleted, then inserted again).
    - Spark: insert_overwrite with partition_by activity_date (dynamic
      partition overwrite). `unique_key` on Spark's default parquet format
      silently appends duplicates, so it is not used there.
    A full rebuild: `dbt build --full-refresh --select int_usage_daily`.
    Needed when tests/assert_usage_daily_reconciles.sql fails: after a
    correction of older usage that keeps each day's total, or after moving
    var `as_of_date` backwards (rows after the new as-of date stay in the
    table; later models bound every window by the as-of date).
-#}
{% macro usage_daily_incremental_config() %}
    {{ return(adapter.dispatch(
        'usage_daily_incremental_config', 'cs_segments')()) }}
{% endmacro %}

{% macro default__usage_daily_incremental_config() %}
    {{ return({
        'materialized': 'incremental',
        'incremental_strategy': 'delete+insert',
        'unique_key': 'activity_date',
        'on_schema_change': 'fail',
    }) }}
{% endmacro %}

{% macro spark__usage_daily_incremental_config() %}
    {{ return({
        'materialized': 'incremental',
        'incremental_strategy': 'insert_overwrite',
        'partition_by': ['activity_date'],
        'file_format': 'parquet',
        'on_schema_change': 'fail',
    }) }}
{% endmacro %}

{#- Double-precision floating point type, for ratios, logs and lifts. -#}
{% macro behaviour_type_float() %}
    {{ return(adapter.dispatch('behaviour_type_float', 'cs_segments')()) }}
{% endmacro %}

{% macro default__behaviour_type_float() %}
    {{ return('double') }}
{% endmacro %}

{% macro postgres__behaviour_type_float() %}
    {{ return('double precision') }}
{% endmacro %}

{#-
    The date `days` days before the date expression `date_expr`, as a date
    (dbt.dateadd returns a timestamp on some engines).
-#}
{% macro behaviour_days_before(date_expr, days) -%}
    cast({{ dbt.dateadd('day', -1 * days, date_expr) }} as date)
{%- endmacro %}


{#- Rows week_offset = 0..12: the weekly as-of dates a daily row can reach
    within a 90-day window (13 x 7 = 91 days). Used to expand daily rows to
    the as-of dates whose windows contain them, so panels equi-join. -#}
{% macro behaviour_week_offsets() -%}
    {%- for week_offset in range(13) %}
    select {{ week_offset }} as week_offset
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
{%- endmacro %}


{#- Expanding daily rows to the weekly as-of dates whose windows contain
    them (with behaviour_week_offsets() cross joined as week_offsets):
    days from an activity date to the first as-of date on or after it
    (as-of dates are the current one and every 7th day before it) ... -#}
{% macro behaviour_days_to_next_as_of(activity_date) -%}
    {{ dbt.datediff(activity_date, 'current_as_of.current_as_of_date', 'day') }} % 7
{%- endmacro %}

{#- ... days between the activity date of row `alias` and the as-of date
    of its week_offset ... -#}
{% macro behaviour_days_before_as_of(alias) -%}
    {{ alias }}.days_to_next_as_of + 7 * week_offsets.week_offset
{%- endmacro %}

{#- ... and that as-of date. -#}
{% macro behaviour_expanded_as_of_date(alias) -%}
    cast({{ dbt.dateadd('day', behaviour_days_before_as_of(alias),
        alias ~ '.activity_date') }} as date)
{%- endmacro %}
