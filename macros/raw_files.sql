{#-
    on-run-start check of the raw input contract declared in
    models/staging/raw/_raw__sources.yml (the one list of raw tables), then
    registration of every raw table as the view raw.<table> that the
    sources resolve to. Stops the run with one message that names each
    missing file and column, before any model reads the data.
    The view has exactly the contract's columns, in its order: a missing
    optional column is null (text), a missing optional table is an empty
    view. Engines differ only in how a file is read (raw_file_relation).
-#}
{% macro validate_raw_contract() %}
    {{ return(adapter.dispatch('validate_raw_contract', 'cs_segments')()) }}
{% endmacro %}

{#- The raw source nodes of this project, by table name (execution time
    only: the graph is empty while dbt parses). -#}
{% macro raw_source_nodes() %}
    {%- set nodes = [] -%}
    {%- for node in graph.sources.values()
        if node.source_name == 'raw' and node.package_name == project_name -%}
        {%- do nodes.append(node) -%}
    {%- endfor -%}
    {{ return(nodes | sort(attribute='name')) }}
{% endmacro %}

{#- Table-level meta of one raw table (primary_key, optional). -#}
{% macro raw_table_meta(table_name) %}
    {%- if not execute -%}{{ return({}) }}{%- endif -%}
    {%- for node in raw_source_nodes() if node.name == table_name -%}
        {%- set meta = {} -%}
        {%- do meta.update(node.meta or {}) -%}
        {%- do meta.update(node.config.meta or {}) -%}
        {{ return(meta) }}
    {%- endfor -%}
    {{ return({}) }}
{% endmacro %}

{#- The required columns (not meta.optional) of a raw source node missing
    from `present` (column names as the engine reports them). -#}
{% macro raw_contract_missing_columns(node, path, present) %}
    {%- set present_lower = present | map('lower') | list -%}
    {%- set problems = [] -%}
    {%- for column in node.columns.values() -%}
        {%- set optional = (column.meta or {}).get('optional', false) -%}
        {%- if not optional and column.name | lower not in present_lower -%}
            {%- do problems.append(
                "file " ~ path ~ " is missing required column '"
                ~ column.name ~ "'") -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(problems) }}
{% endmacro %}

{#- Select of the contract's columns from `from_sql` (a file reader or a
    table), matching the file's column names case-insensitively; a column
    the file lacks is null. `from_sql` none = an empty table (file absent). -#}
{% macro raw_contract_view_sql(node, from_sql, present) %}
    {%- set by_lower = {} -%}
    {%- for name in present -%}
        {%- do by_lower.update({name | lower: name}) -%}
    {%- endfor -%}
    select
    {%- for column in node.columns.values() %}
        {% if from_sql is not none and column.name | lower in by_lower -%}
            {{ adapter.quote(by_lower[column.name | lower]) }}
        {%- else -%}
            cast(null as {{ dbt.type_string() }})
        {%- endif %} as {{ column.name }}{{ "," if not loop.last }}
    {%- endfor %}
    {% if from_sql is none -%}
    from (select 1 as no_file) as no_file
    where 1 = 0
    {%- else -%}
    from {{ from_sql }}
    {%- endif %}
{% endmacro %}

{#- Stop the run with one message listing every contract problem. -#}
{% macro raise_raw_contract_problems(problems) %}
    {%- if problems -%}
        {{ exceptions.raise_compiler_error(
            "Raw input contract violated (raw_dir="
            ~ raw_dir() ~ ", raw_format=" ~ raw_format() ~ "):\n  - "
            ~ problems | join("\n  - ")
            ~ "\nSee README.md, section 'Raw data contract'.") }}
    {%- endif -%}
{% endmacro %}

{#- The contract check and registration, shared by every engine; how a file
    is found and read is the engine's (raw_files_present, raw_file_relation).
    Returns '' (run as an on-run-start hook). -#}
{% macro default__validate_raw_contract() %}
    {%- if not execute -%}{{ return('') }}{%- endif -%}
    {%- set present_files = raw_files_present() -%}
    {%- set problems = [] -%}
    {%- set views = [] -%}
    {%- for node in raw_source_nodes() -%}
        {%- set path = raw_file_path(node.name) -%}
        {%- set optional = raw_table_meta(node.name).get('optional', false) -%}
        {%- if (node.name ~ '.' ~ raw_format()) not in present_files -%}
            {%- if optional -%}
                {%- do views.append((node, none, [])) -%}
            {%- else -%}
                {%- do problems.append(
                    "missing file " ~ path ~ " (table '" ~ node.name
                    ~ "' is required)") -%}
            {%- endif -%}
        {%- else -%}
            {%- set malformed = raw_file_malformed_rows(node.name) -%}
            {%- do problems.extend(malformed) -%}
            {%- if not malformed -%}
                {%- set from_sql = raw_file_relation(node.name) -%}
                {%- set present = run_query(
                    "select * from " ~ from_sql
                    ~ " where 1 = 0").column_names -%}
                {%- do problems.extend(
                    raw_contract_missing_columns(node, path, present)) -%}
                {%- do views.append((node, from_sql, present)) -%}
            {%- endif -%}
        {%- endif -%}
    {%- endfor -%}
    {%- do raise_raw_contract_problems(problems) -%}
    {%- do run_query("create schema if not exists "
        ~ adapter.quote(views[0][0].schema) if views else "select 1") -%}
    {%- for node, from_sql, present in views -%}
        {%- set relation = api.Relation.create(
            database=node.database, schema=node.schema,
            identifier=node.identifier) -%}
        {%- do run_query("create or replace view " ~ relation ~ " as "
            ~ raw_contract_view_sql(node, from_sql, present)) -%}
    {%- endfor -%}
    {{ return('') }}
{% endmacro %}

{#- Names of the raw files present in raw_dir (<table>.<format>). -#}
{% macro raw_files_present() %}
    {{ return(adapter.dispatch('raw_files_present', 'cs_segments')()) }}
{% endmacro %}

{% macro default__raw_files_present() %}
    {%- set names = [] -%}
    {%- for node in raw_source_nodes() -%}
        {%- set found = run_query(
            "select count(*) from glob(" ~ cs_sql_string(
                raw_file_path(node.name)) ~ ")").columns[0].values()[0] -%}
        {%- if found > 0 -%}
            {%- do names.append(node.name ~ '.' ~ raw_format()) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(names) }}
{% endmacro %}

{#- SQL that reads one raw table's file (a table function, or a table the
    engine registered over the file). -#}
{% macro raw_file_relation(table_name) %}
    {{ return(adapter.dispatch('raw_file_relation', 'cs_segments')(
        table_name)) }}
{% endmacro %}

{% macro default__raw_file_relation(table_name) %}
    {{ return(raw_file_reader(table_name)) }}
{% endmacro %}

{#- Rows of one raw file that do not parse (as contract problems naming the
    table and line), read before the file is registered. -#}
{% macro raw_file_malformed_rows(table_name) %}
    {{ return(adapter.dispatch('raw_file_malformed_rows', 'cs_segments')(
        table_name)) }}
{% endmacro %}

{% macro default__raw_file_malformed_rows(table_name) %}
    {{ return(raw_csv_malformed_rows(table_name)
        if raw_format() == 'csv' else []) }}
{% endmacro %}

{#- Spark reads CSV in its permissive mode; ragged rows are not detected
    there (README, "Settings and hostile files"). -#}
{% macro spark__raw_file_malformed_rows(table_name) %}
    {{ return([]) }}
{% endmacro %}

{#- DuckDB, CSV: rows of one raw file that do not parse with the dialect of
    raw_csv_options() (a ragged row with too many or too few fields, an
    unterminated quote, bad encoding), as contract problems naming the table,
    the file line and the field counts. Reads the whole file once, with
    DuckDB's store_rejects, so no row is skipped silently. At most 5 rows per
    file are listed. -#}
{% macro raw_csv_malformed_rows(table_name) %}
    {%- set rejects = 'cs_raw_rejects_' ~ table_name -%}
    {%- set scans = 'cs_raw_reject_scans_' ~ table_name -%}
    {%- do run_query("drop table if exists " ~ rejects) -%}
    {%- do run_query("drop table if exists " ~ scans) -%}
    {%- do run_query(
        "select count(*) from read_csv("
        ~ cs_sql_string(raw_file_path(table_name)) ~ ", "
        ~ raw_csv_options() ~ ", store_rejects = true, rejects_table = "
        ~ cs_sql_string(rejects) ~ ", rejects_scan = "
        ~ cs_sql_string(scans) ~ ")") -%}
    {%- set found = run_query(
        "select line, error_type, error_message from " ~ rejects
        ~ " order by line limit 5") -%}
    {%- set problems = [] -%}
    {%- for row in found.rows -%}
        {%- set counts = modules.re.search(
            'Expected Number of Columns: ([0-9]+) Found: ([0-9]+)',
            row[2] | string) -%}
        {%- if counts -%}
            {%- do problems.append(
                "table '" ~ table_name ~ "' (" ~ raw_file_path(table_name)
                ~ "), line " ~ row[0] ~ " has " ~ counts.group(2)
                ~ " fields, expected " ~ counts.group(1)) -%}
        {%- else -%}
            {%- do problems.append(
                "table '" ~ table_name ~ "' (" ~ raw_file_path(table_name)
                ~ "), line " ~ row[0] ~ ": " ~ row[1] ~ ": "
                ~ (row[2] | string).split('\n')[0]) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- do run_query("drop table if exists " ~ rejects) -%}
    {%- do run_query("drop table if exists " ~ scans) -%}
    {{ return(problems) }}
{% endmacro %}

{#-
    Spark: each run (re)registers every raw file as the external table
    raw.<table>__file over the file (parquet, or CSV with a header read as
    text: staging casts it). Dropping such a table leaves the file alone.
-#}
{% macro spark__raw_file_relation(table_name) %}
    {%- set path = raw_file_path(table_name) -%}
    {%- set relation = 'raw.' ~ table_name ~ '__file' -%}
    {%- do run_query("create schema if not exists raw") -%}
    {%- do run_query("drop table if exists " ~ relation) -%}
    {%- if raw_format() == 'csv' -%}
        {%- set options = "path " ~ cs_sql_string(path)
            ~ ", header 'true', inferSchema 'false'"
            ~ ", multiLine 'true', sep ',', quote '\"'"
            ~ ", escape '\"'" -%}
    {%- else -%}
        {%- set options = "path " ~ cs_sql_string(path) -%}
    {%- endif -%}
    {%- do run_query("create table " ~ relation ~ " using " ~ raw_format()
        ~ " options (" ~ options ~ ")") -%}
    {{ return(relation) }}
{% endmacro %}

{#- Spark: names of the files directly in raw_dir with the raw format's
    extension (empty when raw_dir does not exist). Spark fails on a path
    that does not exist, so a local raw_dir is first checked with
    java.io.File (through Spark's Utils.resolveURI, which ends the URI of an
    existing directory with '/'); a remote one (s3a://...) is listed as is. -#}
{% macro spark__raw_files_present() %}
    {%- set dir = raw_dir() -%}
    {%- if '://' not in dir -%}
        {%- set resolved = run_query(
            "select try_reflect('org.apache.spark.util.Utils', 'resolveURI', "
            ~ cs_sql_string(dir) ~ ")").columns[0].values()[0] -%}
        {%- if resolved is not none and not resolved.endswith('/') -%}
            {{ return([]) }}
        {%- endif -%}
    {%- endif -%}
    {%- set listed = run_query(
        "select path from binaryFile." ~ cs_spark_quoted_path(dir)
        ~ " where path like '%." ~ raw_format() ~ "'") -%}
    {%- set names = [] -%}
    {%- for path in listed.columns[0].values() -%}
        {%- do names.append(path.split('/')[-1]) -%}
    {%- endfor -%}
    {{ return(names) }}
{% endmacro %}

{#- Path of one raw table's file, from vars raw_dir and raw_format. -#}
{% macro raw_dir() -%}
    {{- var('raw_dir', env_var('CS_RAW_DIR', 'data/demo')) -}}
{%- endmacro %}

{% macro raw_format() -%}
    {{- var('raw_format', env_var('CS_RAW_FORMAT', 'parquet')) -}}
{%- endmacro %}

{% macro raw_file_path(table_name) -%}
    {%- set fmt = raw_format() -%}
    {%- if fmt not in ['parquet', 'csv'] -%}
        {{ exceptions.raise_compiler_error(
            "var raw_format (env CS_RAW_FORMAT) must be 'parquet' or 'csv', got '"
            ~ fmt ~ "'") }}
    {%- endif -%}
    {{- raw_dir() ~ '/' ~ table_name ~ '.' ~ fmt -}}
{%- endmacro %}

{#- DuckDB table function reading one raw table's file. CSV is read as text:
    staging casts it and quarantines what does not parse. The dialect is
    explicit, not sniffed: a header row, ',' between fields, '"' quotes
    with '""' inside a quoted field, no rows skipped, strict (a ragged row
    is an error; validate_raw_contract reports it first with its line).
    The on-run-start hook registers raw.<table> views over this reader. -#}
{% macro raw_csv_options() -%}
    header = true, delim = ',', quote = '"', escape = '"', skip = 0,
    all_varchar = true, strict_mode = true, null_padding = false
{%- endmacro %}

{% macro raw_file_reader(table_name) -%}
    {%- if raw_format() == 'csv' -%}
        read_csv({{ cs_sql_string(raw_file_path(table_name)) }},
            {{ raw_csv_options() }})
    {%- else -%}
        read_parquet({{ cs_sql_string(raw_file_path(table_name)) }})
    {%- endif -%}
{%- endmacro %}
