{#-
    Incremental staging of raw usage (base_raw__usage_events), DuckDB only.

    Each staged row carries the day it belongs to (`staged_day`: the day of
    its parsed occurred_at; rows without one share a day of their own) and
    the fingerprint of that day when it was staged (`staging_fingerprint`):
    a hash of the day's raw rows (their count and the sum of a hash of each
    row's six raw values) and of everything else a row's checks read for
    that day: whether the day is after the as-of date and after the
    future-dated bound, the event catalog, whether a users table is loaded,
    and the staging code itself. A run plans first (usage_staging_plan):
    the days whose fingerprint changed, the days of rows whose account or
    user appeared or vanished, the days that are gone; then re-stages those
    days and every copy of the keys found on them (copies on other days
    included: the copy order needs all of them). See the model's header.
-#}

{#- The materialization of base_raw__usage_events: incremental on DuckDB
    (strategy replace_staged_days below), a table elsewhere (every run
    stages everything: Spark users rebuild it whole). -#}
{% macro usage_staging_config() %}
    {{ return(duckdb_strategy_or_table_config(
        'replace_staged_days', 'staged_day')) }}
{% endmacro %}

{#- An incremental run needs the three columns each stored row carries; a
    warehouse staged before they existed stops here with what to do (dbt's
    own message would be a binder error on the missing column, or its
    on_schema_change failure). -#}
{% macro usage_staging_check_stored(relation) %}
    {%- if execute and is_incremental() -%}
        {%- set stored = adapter.get_columns_in_relation(relation)
            | map(attribute='name') | map('lower') | list -%}
        {%- set missing = [] -%}
        {%- for column in ['staged_day', 'staging_fingerprint', 'loaded_at']
            if column not in stored -%}
            {%- do missing.append(column) -%}
        {%- endfor -%}
        {%- if missing -%}
            {{ exceptions.raise_compiler_error(
                relation ~ " was staged before the incremental staging of"
                ~ " usage in this version (no column " ~ missing | join(', ')
                ~ "): rebuild it once with `dbt build --full-refresh --select"
                ~ " base_raw__usage_events+` (the as-published log is"
                ~ " kept), then run as before.") }}
        {%- endif -%}
    {%- endif -%}
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

{#- The md5 of what decides a model's rows besides its inputs, for the
    fingerprints that decide what an incremental run recomputes: the
    model's code and `extra` (the expanded macros and vars it reads). -#}
{% macro model_code_md5(extra='') -%}
    {{ return(local_md5(
        (model.raw_code if model is mapping and model.raw_code is defined
            else '') ~ extra)) }}
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

{#-
    The plan of an incremental run of base_raw__usage_events: runs the
    model's plan query (one row per day: staged_day, staging_fingerprint,
    is_reload, is_vanished) and returns {'is_incremental': ..., 'days':
    rows}, or none outside an incremental run. When more than half of the
    raw file's days are to be re-staged (a change of the code, the catalog
    or of whether users are loaded changes every day's fingerprint), the
    run stages every row as a full build does, and still replaces the
    stored days: the path for a few days hashes the keys of the days it
    re-stages, which for every day does not fit in memory at 100,000
    accounts. Under `--empty` (no raw row is read) there is no plan: the
    run replaces no day, so the stored rows stay as they are.
-#}
{% macro usage_staging_plan(plan_query) %}
    {%- if not (execute and is_incremental()) or flags.EMPTY -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set days = run_query(plan_query).rows | list -%}
    {%- set counts = namespace(current=0, reload=0) -%}
    {%- for day in days -%}
        {%- if not day[3] -%}
            {%- set counts.current = counts.current + 1 -%}
        {%- endif -%}
        {%- if day[2] -%}
            {%- set counts.reload = counts.reload + 1 -%}
        {%- endif -%}
    {%- endfor -%}
    {%- do log(
        "base_raw__usage_events: " ~ counts.reload ~ " of " ~ counts.current
        ~ " days to re-stage"
        ~ (", staging every row" if counts.reload * 2 > counts.current
            else ""), info=true) -%}
    {{ return({
        'is_incremental': counts.reload * 2 <= counts.current,
        'days': days,
    }) }}
{% endmacro %}

{#- The plan's days as a relation (literals; none: one row that matches
    nothing). -#}
{% macro usage_staging_days_values(planned) -%}
    {%- if planned is none or planned.days | length == 0 -%}
    select
        cast(null as date) as staged_day,
        cast(null as ubigint) as staging_fingerprint,
        false as is_reload,
        false as is_vanished
    where false
    {%- else -%}
    select *
    from (
        values
        {%- for day in planned.days %}
            (date '{{ day[0] }}', cast({{ 'null' if day[1] is none
                else day[1] }} as ubigint), {{ day[2] | lower }},
                {{- ' ' ~ (day[3] | lower) }}){{ ',' if not loop.last }}
        {%- endfor %}
    ) as planned (staged_day, staging_fingerprint, is_reload, is_vanished)
    {%- endif %}
{%- endmacro %}

{#- The days the plan re-stages, as 'YYYY-MM-DD' strings (none outside an
    incremental plan). -#}
{% macro usage_staging_reload_days(planned) %}
    {%- set days = [] -%}
    {%- if planned is not none and planned.is_incremental -%}
        {%- for day in planned.days if day[2] -%}
            {%- do days.append(day[0] | string) -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return(days) }}
{% endmacro %}

{#- The second query of the plan (the other days holding a copy of a key
    of the days to re-stage): runs it and returns its days as strings. -#}
{% macro usage_staging_copy_days(copy_query) %}
    {%- if not execute -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set days = [] -%}
    {%- for row in run_query(copy_query).rows -%}
        {%- do days.append(row[0] | string) -%}
    {%- endfor -%}
    {%- if days -%}
        {%- do log("base_raw__usage_events: " ~ days | length
            ~ " other day(s) hold a copy of a key re-staged", info=true) -%}
    {%- endif -%}
    {{ return(days) }}
{% endmacro %}

{#- Days as a relation with one column, staged_day (no row for none). -#}
{% macro usage_staging_day_list(days) -%}
    {%- if days | length == 0 -%}
    select cast(null as date) as staged_day
    where false
    {%- else -%}
    select staged_day
    from (
        values
        {%- for day in days %}
            (date '{{ day }}'){{ ',' if not loop.last }}
        {%- endfor %}
    ) as day_list (staged_day)
    {%- endif -%}
{%- endmacro %}

{#- A condition keeping the range of `days` on a date column: a constant
    filter, pushed into the scan (row groups outside the range are
    skipped). The exact days are filtered after it. -#}
{% macro usage_staging_day_range(column, days) -%}
    {%- if days | length == 0 -%}
        false
    {%- else -%}
        {{ column }} between date '{{ days | min }}' and date '{{ days | max }}'
    {%- endif -%}
{%- endmacro %}

{#- The range of `days` (at least one) on a timestamp column whose date is
    the day: from the first day's midnight to the midnight after the last. -#}
{% macro timestamp_day_range(column, days) -%}
    {{ column }} >= cast(date '{{ days | min }}' as timestamp)
    and {{ column }} < cast(date '{{ days | max }}' as timestamp)
    + interval 1 day
{%- endmacro %}

{#- The same for the raw file: a range of occurred_at when the file types
    it as a timestamp (its staged day is then its date: the range holds
    every row of the days), and no filter otherwise (text is parsed first,
    and a time zone can move a row to another day), nor when the days
    include the day of rows without a timestamp (0001-01-01). -#}
{% macro usage_staging_raw_day_range(relation, days) -%}
    {%- if days | length == 0 -%}
        false
    {%- else -%}
        {%- set ns = namespace(typed=false) -%}
        {%- if execute -%}
            {%- for column in adapter.get_columns_in_relation(relation)
                if column.name | lower == 'occurred_at'
                and column.data_type | upper == 'TIMESTAMP' -%}
                {%- set ns.typed = true -%}
            {%- endfor -%}
        {%- endif -%}
        {%- if ns.typed and (days | min) > '0001-01-01' -%}
            {{ timestamp_day_range('occurred_at', days) }}
        {%- else -%}
            true
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}
