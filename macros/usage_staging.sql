{#-
    Incremental staging of raw usage (base_raw__usage_events), DuckDB only.

    Each staged row carries the day it belongs to (`staged_day`: the day of
    its parsed occurred_at; rows without one share a day of their own) and
    the fingerprint of that day when it was staged (`staging_fingerprint`):
    a hash of the day's raw rows (their count and the sum of a hash of each
    row's six raw values) and of everything else a row's checks read for
    that day: whether the day is after the as-of date and after the
    future-dated bound, the event catalog, whether a users table is loaded,
    and the staging code itself. A run re-stages the days whose fingerprint
    changed, the days of rows whose account or user appeared or vanished,
    and every copy of the keys found on those days (copies on other days
    included: the copy order needs all of them). See the model's header.
-#}

{#- The materialization of base_raw__usage_events: incremental on DuckDB
    (strategy replace_staged_days below), a table elsewhere (every run
    stages everything: Spark users rebuild it whole). -#}
{% macro usage_staging_config() %}
    {{ return(adapter.dispatch('usage_staging_config', 'cs_segments')()) }}
{% endmacro %}

{% macro default__usage_staging_config() %}
    {{ return({'materialized': 'table'}) }}
{% endmacro %}

{% macro duckdb__usage_staging_config() %}
    {{ return({
        'materialized': 'incremental',
        'incremental_strategy': 'replace_staged_days',
        'unique_key': 'staged_day',
        'on_schema_change': 'fail',
    }) }}
{% endmacro %}

{#- The day a usage row is staged under: the date of its parsed timestamp;
    rows without one (null or unparseable) share 0001-01-01 (a real event
    on that day would share their day, which only means they are re-staged
    together). -#}
{% macro usage_staged_day(timestamp) -%}
    coalesce(cast({{ timestamp }} as date), cast('0001-01-01' as date))
{%- endmacro %}

{#- A number per row for order-independent sums of rows: a 64-bit hash of
    the expressions, reduced so that summing 10^9 rows cannot overflow a
    bigint (Spark fails on overflow). -#}
{% macro row_print(expressions) -%}
    cast({{ key_hash(expressions) }} % 2147483647 as bigint)
{%- endmacro %}

{#-
    Incremental strategy of base_raw__usage_events: the run's rows replace
    the stored rows of every day (unique_key: staged_day) they hold. A row
    with a null staging_fingerprint is a marker, never stored: it replaces
    its day by nothing (a day whose raw rows are all gone). Runs inside
    the model's transaction, as dbt's delete+insert.
-#}
{% macro get_incremental_replace_staged_days_sql(arg_dict) %}
    {%- set target = arg_dict['target_relation'] -%}
    {%- set source = arg_dict['temp_relation'] -%}
    {%- set day = arg_dict['unique_key'] -%}
    {%- set columns = get_quoted_csv(
        arg_dict['dest_columns'] | map(attribute='name')) -%}
    delete from {{ target }}
    where {{ day }} in (select distinct {{ day }} from {{ source }});

    insert into {{ target }} ({{ columns }})
    select {{ columns }}
    from {{ source }}
    where staging_fingerprint is not null
{% endmacro %}
