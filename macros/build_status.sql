{#-
    The work database records how its last dbt invocation ended, in table
    cs_build.last_invocation (status, failed_nodes, missing_marts), so that
    cs_segments/publish.py never copies a set of marts that a failed,
    failing-test, partial or killed build left behind:
    - build_status_start (on-run-start, after the checks of settings and
      raw files) marks the invocation as running;
    - build_status_end (on-run-end) records 'complete' when every node
      passed (success, pass or warn) and every mart model was built, else
      'incomplete' with the failed nodes and the marts not built.
    A killed build never reaches on-run-end: its record stays 'running'.
    Only commands that write models are recorded (build, run, seed,
    snapshot, retry); `dbt test` only marks the record 'incomplete' when a
    test fails; docs, compile, show and the like leave it alone.
    DuckDB only: the published file is a DuckDB file.
-#}
{% macro build_status_writing_commands() %}
    {{ return(['build', 'run', 'seed', 'snapshot', 'retry']) }}
{% endmacro %}

{% macro build_status_start() %}
    {{ return(adapter.dispatch('build_status_start', 'cs_segments')()) }}
{% endmacro %}

{% macro build_status_end(results) %}
    {{ return(adapter.dispatch('build_status_end', 'cs_segments')(results)) }}
{% endmacro %}

{% macro default__build_status_start() %}
    {{ return('') }}
{% endmacro %}

{% macro default__build_status_end(results) %}
    {{ return('') }}
{% endmacro %}

{% macro duckdb__build_status_start() %}
    {%- if not execute
        or flags.WHICH not in build_status_writing_commands() -%}
        {{ return('') }}
    {%- endif -%}
    {%- do build_status_write('running', none, []) -%}
    {{ return('') }}
{% endmacro %}

{% macro duckdb__build_status_end(results) %}
    {%- set writing = flags.WHICH in build_status_writing_commands() -%}
    {%- if not execute or not (writing or flags.WHICH == 'test') -%}
        {{ return('') }}
    {%- endif -%}
    {%- set failed = [] -%}
    {%- set built = [] -%}
    {%- for result in results -%}
        {#- Exposures run as no-ops: nothing to pass or fail. -#}
        {%- if result.node.resource_type == 'exposure' -%}
        {%- elif result.status | string not in ['success', 'pass', 'warn'] -%}
            {%- do failed.append(result.node.unique_id) -%}
        {%- elif result.node.resource_type == 'model' -%}
            {%- do built.append(result.node.unique_id) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set missing = [] -%}
    {%- for node in graph.nodes.values()
        if node.resource_type == 'model'
        and node.package_name == project_name
        and node.schema == 'marts'
        and node.unique_id not in built -%}
        {%- do missing.append(node.name) -%}
    {%- endfor -%}
    {%- if writing -%}
        {%- do build_status_write(
            'complete' if not failed and not missing else 'incomplete',
            failed | length, missing) -%}
    {%- elif failed -%}
        {%- do build_status_write('incomplete', failed | length, []) -%}
    {%- endif -%}
    {{ return('') }}
{% endmacro %}

{% macro build_status_write(status, failed_nodes, missing_marts) %}
    {%- do run_query("create schema if not exists cs_build") -%}
    {%- do run_query(
        "create or replace table cs_build.last_invocation as select "
        ~ cs_sql_string(status) ~ " as status, cast("
        ~ (failed_nodes if failed_nodes is not none else 'null')
        ~ " as integer) as failed_nodes, "
        ~ cs_sql_string(missing_marts | join(', ')) ~ " as missing_marts, "
        ~ cs_sql_string(invocation_id) ~ " as invocation_id") -%}
{% endmacro %}
