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
    Before it marks a new invocation as running, build_status_start removes
    from the as-published log (fct_segment_membership_published) the rows
    the previous invocation appended when its record says it did not
    finish complete (drop_unfinished_publication): a failed or killed build
    is never published, so no CSM saw them; left there, the next run would
    compare its segments with them and the next publish would copy them.
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
    {%- do drop_unfinished_publication() -%}
    {%- do build_status_write('running', none, []) -%}
    {{ return('') }}
{% endmacro %}

{#- The rows of the as-published log appended by the invocation that
    cs_build.last_invocation records as not complete ('running': killed;
    'incomplete': a node failed or a mart was not built). The publish
    refuses such a build, and the record names the invocation that wrote
    it (a `dbt test` that fails records its own), so these rows were never
    published. DuckDB only, like the record. -#}
{% macro drop_unfinished_publication() %}
    {%- set log_node = graph.nodes.get(
        'model.' ~ project_name ~ '.fct_segment_membership_published') -%}
    {%- if log_node is none -%}
        {{ return('') }}
    {%- endif -%}
    {#- Plain queries, not adapter.get_relation: a relation cache miss
        opens a transaction that dbt rolls back after the hooks, with this
        delete and the record of the running invocation in it. -#}
    {%- set present = run_query(
        "select count(*) from information_schema.columns"
        ~ " where table_catalog = " ~ cs_sql_string(target.database)
        ~ " and ((table_schema = " ~ cs_sql_string(log_node.schema)
        ~ " and table_name = " ~ cs_sql_string(log_node.alias)
        ~ " and column_name = 'dbt_invocation_id')"
        ~ " or (table_schema = 'cs_build' and table_name = 'last_invocation'"
        ~ " and column_name = 'invocation_id'))").rows[0][0] -%}
    {%- if present != 2 -%}
        {{ return('') }}
    {%- endif -%}
    {%- set log_relation = api.Relation.create(
        database=target.database, schema=log_node.schema,
        identifier=log_node.alias) -%}
    {#- Only the latest publication can be the unfinished invocation's
        (a build removes it before it appends), so the log, which grows by
        one publication per run, is not scanned whole. -#}
    {%- set unfinished -%}
        dbt_invocation_id in (
            select invocation_id from cs_build.last_invocation
            where status <> 'complete'
        )
        and publication_number = (
            select max(latest.publication_number)
            from {{ log_relation }} as latest
        )
    {%- endset -%}
    {%- set found = run_query(
        "select publication_number, dbt_invocation_id, count(*) from "
        ~ log_relation ~ " where " ~ unfinished ~ " group by 1, 2").rows -%}
    {%- for row in found -%}
        {{ log("fct_segment_membership_published: removed publication "
            ~ row[0] ~ " (" ~ row[2] ~ " rows), appended by invocation "
            ~ row[1] ~ ", which did not finish complete (failed or killed)"
            ~ " and was never published", info=true) }}
    {%- endfor -%}
    {%- if found | length > 0 -%}
        {%- do run_query(
            "delete from " ~ log_relation ~ " where " ~ unfinished) -%}
    {%- endif -%}
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
