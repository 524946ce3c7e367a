{#-
    Data tests that check only what changed since they last passed.

    A test opts in with two arguments (so far: unique_combination on
    int_usage_daily, 112.6 M rows at 100,000 accounts, partition
    `activity_date`; on stg_raw__usage_events, the same number of rows,
    partition `event_id`, the key itself; on the segment rules and the
    weekly membership, whose as-of dates are replaced whole, partition
    `as_of_date`):
    - `since_last_pass_column`: a column holding when the row was written
      (`loaded_at`, the start of the dbt invocation that wrote it);
    - `since_last_pass_partition`: one of the key's columns.
    The test then reads every row (old or new) of the partitions that have a
    row written after the start of the last invocation in which it passed;
    on-run-end (test_passes_end) records that start, per test, in table
    cs_build.test_passes. Two rows with the same key share the partition,
    so a repeat that involves any new row is in what the test reads (also
    when an old copy was left behind next to a reloaded one); repeats among
    older rows were there when the test last passed, which it did on every
    partition they could be in. A test that fails, errors, is skipped or is
    killed records nothing, so the next run checks the same partitions again
    and more.
    `loaded_at` and the recorded start come from the same clock (dbt's
    run_started_at, UTC): a clock set back between runs would leave later
    loads below the mark. cs_build.test_passes is run state like
    cs_build.last_invocation, not a model: a test's result depends on it.
    Rows changed outside dbt keep their old `loaded_at` and are not checked
    again: set the var `data_tests_check_all_rows: true` (or run a full
    refresh of the model) to check every row. DuckDB only; on other adapters
    every row is checked every time.
-#}

{#- The key of a test in cs_build.test_passes: test name, the tested
    relation (schema.name) and the key's columns. -#}
{% macro test_pass_key(test_name, schema, name, columns) -%}
    {{ return(test_name ~ ':' ~ schema ~ '.' ~ name ~ ':'
        ~ (columns | join(','))) }}
{%- endmacro %}

{#- cs_build.test_passes of `database`, or none before any pass. -#}
{% macro test_passes_relation(database) %}
    {{ return(adapter.get_relation(
        database=database, schema='cs_build', identifier='test_passes')) }}
{% endmacro %}

{#- The condition on a row: written (`column`, loaded_at) after the start of
    the last invocation in which test `key` passed (every row before its
    first pass; a row with no `column` always). -#}
{% macro written_since_last_pass(column, passes, key) -%}
    {{ column }} is null
    or {{ column }} > coalesce(
        (
            select max(passed_run_started_at) from {{ passes }}
            where test_key = {{ cs_sql_string(key) }}
        ),
        cast('1900-01-01' as timestamp)
    )
{%- endmacro %}

{#- `model` itself, or the rows of `model` in the partitions written since
    this test last passed (see above). -#}
{% macro rows_since_last_pass(model, test_name, columns, column, partition) %}
    {%- if column is not none and partition not in columns -%}
        {{ exceptions.raise_compiler_error(
            test_name ~ " on " ~ model ~ ": since_last_pass_partition must"
            ~ " be one of the key's columns " ~ (columns | join(', '))
            ~ ", got " ~ partition) }}
    {%- endif -%}
    {{ return(adapter.dispatch('rows_since_last_pass', 'cs_segments')(
        model, test_name, columns, column, partition)) }}
{% endmacro %}

{% macro default__rows_since_last_pass(
    model, test_name, columns, column, partition) %}
    {{ return(model) }}
{% endmacro %}

{% macro duckdb__rows_since_last_pass(
    model, test_name, columns, column, partition) %}
    {%- if not execute or column is none
        or var('data_tests_check_all_rows')
        or model.identifier is not defined -%}
        {{ return(model) }}
    {%- endif -%}
    {%- set passes = test_passes_relation(model.database) -%}
    {%- if passes is none -%}
        {{ return(model) }}
    {%- endif -%}
    {%- set key = test_pass_key(
        test_name, model.schema, model.identifier, columns) -%}
    {%- set filtered -%}
(
    select * from {{ model }}
    where
        {{ partition }} is null
        or {{ partition }} in (
            select {{ partition }} from {{ model }}
            where {{ written_since_last_pass(column, passes, key) }}
        )
)
    {%- endset -%}
    {{ return(filtered) }}
{% endmacro %}

{#- A singular test opts in with `config(meta={'since_last_pass': true})`
    and filters its rows with `partitions_written_since_last_pass`: the
    values of `partition` (as_of_date) that have a row written after the
    start of the last invocation in which the test passed, in any of
    `relations` (each with `column`, loaded_at; `partition_columns`, a list
    beside `relations`, names another column for a relation). Returns a
    condition on `partition`: 'true' (every row) on other adapters, before
    its first pass, with `data_tests_check_all_rows`, or when the test does
    not opt in. Its key in cs_build.test_passes is the test's name. Used by
    tests/segments/assert_one_segment_per_exclusive_dimension.sql (the
    spine is the rules, the counted rows the membership: a date written in
    either is checked) and tests/assert_usage_daily_reconciles.sql (which
    reads the values with `partition_values_written_since_last_pass` and
    writes a condition per side with `partition_condition`). -#}
{% macro partitions_written_since_last_pass(
    relations, column='loaded_at', partition='as_of_date') %}
    {{ return(partition_condition(
        partition,
        partition_values_written_since_last_pass(
            relations, column, partition))) }}
{% endmacro %}

{#- The values (text) of the partitions written since the test last passed,
    as above; none when every row is to be read. -#}
{% macro partition_values_written_since_last_pass(
    relations, column='loaded_at', partition='as_of_date',
    partition_columns=none) %}
    {{ return(adapter.dispatch(
        'partition_values_written_since_last_pass', 'cs_segments')(
        relations, column, partition, partition_columns)) }}
{% endmacro %}

{% macro default__partition_values_written_since_last_pass(
    relations, column, partition, partition_columns) %}
    {{ return(none) }}
{% endmacro %}

{% macro duckdb__partition_values_written_since_last_pass(
    relations, column, partition, partition_columns) %}
    {%- if not execute or var('data_tests_check_all_rows')
        or not model.config.meta.get('since_last_pass') -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set passes = test_passes_relation(target.database) -%}
    {%- if passes is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set written_sql -%}
        {%- for relation in relations %}
        select distinct cast(
            {{ partition_columns[loop.index0] if partition_columns
                else partition }} as varchar) as written
        from {{ relation }}
        where {{ written_since_last_pass(column, passes, model.name) }}
        {%- if not loop.last %}
        union
        {%- endif %}
        {%- endfor %}
    {%- endset -%}
    {{ return(run_query(written_sql).columns[0].values() | list) }}
{% endmacro %}

{#- The condition on `expression` for the partition `values` (none: 'true',
    every row). The values are written into the test as literals, read
    when it runs: DuckDB then skips the row groups of the other values (a
    filter on a subquery scanned every row: 1.2 s against 0.05 s for the
    exclusive-dimension test at 100,000 accounts). DuckDB pushes a single
    value or a range into its scan but not an `in` list of two or more
    (it became a filter over every row: 3.7 s against 0.06 s for one day
    of int_usage_daily), so when the values are ISO dates the list comes
    with the range they span, on `expression` or, if given, on
    `range_column` (a timestamp whose day is `expression`): the range
    conditions of the usage staging (macros/usage_staging.sql). -#}
{% macro partition_condition(expression, values, range_column=none) %}
    {%- if values is none -%}
        {{ return('true') }}
    {%- endif -%}
    {%- set parts = [] -%}
    {%- set days = [] -%}
    {%- set literals = [] -%}
    {%- for value in values -%}
        {%- if value is none -%}
            {%- do parts.append(expression ~ ' is null') -%}
        {%- else -%}
            {%- do literals.append(cs_sql_string(value)) -%}
            {%- if modules.re.match('^[0-9]{4}-[0-9]{2}-[0-9]{2}$', value) -%}
                {%- do days.append(value) -%}
            {%- endif -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if literals -%}
        {%- set in_list = expression ~ ' in (' ~ literals | join(', ') ~ ')' -%}
        {%- if days | length == literals | length -%}
            {%- set range = usage_staging_day_range(expression, days)
                if range_column is none
                else timestamp_day_range(range_column, days) -%}
            {%- set in_list = '(' ~ range ~ ' and ' ~ in_list ~ ')' -%}
        {%- endif -%}
        {%- do parts.append(in_list) -%}
    {%- endif -%}
    {{ return('(' ~ (parts | join(' or ') if parts else 'false') ~ ')') }}
{% endmacro %}

{#- on-run-end: records, for each opted-in test that passed with no failing
    row, the start of this invocation (generic tests: the key of
    test_pass_key; singular tests: their name). Not for a test with a
    `where` config (it read a subset) nor under --empty (it read no row). -#}
{% macro test_passes_end(results) %}
    {{ return(adapter.dispatch('test_passes_end', 'cs_segments')(results)) }}
{% endmacro %}

{% macro default__test_passes_end(results) %}
    {{ return('') }}
{% endmacro %}

{% macro duckdb__test_passes_end(results) %}
    {%- if not execute or flags.EMPTY -%}
        {{ return('') }}
    {%- endif -%}
    {%- set keys = [] -%}
    {%- for result in results
        if result.node.resource_type == 'test'
        and result.status | string == 'pass'
        and result.failures == 0
        and not result.node.config.get('where') -%}
        {%- set metadata = result.node.test_metadata
            if result.node.test_metadata is defined else none -%}
        {%- if metadata is none
            and result.node.config.meta.get('since_last_pass') -%}
            {%- do keys.append(result.node.name) -%}
        {%- elif metadata is not none
            and metadata.kwargs.get('since_last_pass_column')
            and result.node.attached_node in graph.nodes -%}
            {%- set tested = graph.nodes[result.node.attached_node] -%}
            {%- do keys.append(test_pass_key(
                metadata.name, tested.schema, tested.alias,
                metadata.kwargs.get('columns', []))) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if not keys -%}
        {{ return('') }}
    {%- endif -%}
    {%- set quoted = [] -%}
    {%- for key in keys -%}
        {%- do quoted.append(cs_sql_string(key)) -%}
    {%- endfor -%}
    {%- do run_query("create schema if not exists cs_build") -%}
    {%- do run_query(
        "create table if not exists cs_build.test_passes ("
        ~ "test_key varchar, passed_run_started_at timestamp, "
        ~ "invocation_id varchar)") -%}
    {%- do run_query(
        "delete from cs_build.test_passes where test_key in ("
        ~ quoted | join(', ') ~ ")") -%}
    {%- for key in quoted -%}
        {%- do run_query(
            "insert into cs_build.test_passes values (" ~ key ~ ", "
            ~ run_started_at_timestamp() ~ ", "
            ~ cs_sql_string(invocation_id) ~ ")") -%}
    {%- endfor -%}
    {{ return('') }}
{% endmacro %}
