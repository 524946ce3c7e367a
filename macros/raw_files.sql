{#-
    on-run-start check of the raw input contract declared in
    models/staging/raw/_raw__sources.yml: every table's file exists and has
    every required column. Stops the run with one message that names each
    missing file and column, before any model reads the data.
-#}
{% macro validate_raw_contract() %}
    {{ return(adapter.dispatch('validate_raw_contract', 'cs_segments')()) }}
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

{% macro default__validate_raw_contract() %}
    {#- Engines other than DuckDB read registered tables: nothing to check. -#}
    {{ return('') }}
{% endmacro %}

{% macro duckdb__validate_raw_contract() %}
    {%- if not execute -%}{{ return('') }}{%- endif -%}
    {%- set problems = [] -%}
    {%- for node in graph.sources.values()
        if node.source_name == 'raw' and node.package_name == project_name -%}
        {%- set path = raw_file_path(node.name) -%}
        {%- set found = run_query(
            "select count(*) from glob(" ~ cs_sql_string(path) ~ ")"
            ).columns[0].values()[0] -%}
        {%- if found == 0 -%}
            {%- do problems.append(
                "missing file " ~ path ~ " (table '" ~ node.name ~ "')") -%}
        {%- else -%}
            {%- set malformed = raw_csv_malformed_rows(node.name)
                if raw_format() == 'csv' else [] -%}
            {%- do problems.extend(malformed) -%}
            {%- if not malformed -%}
                {%- set described = run_query(
                    "describe select * from " ~ raw_file_reader(node.name)) -%}
                {%- do problems.extend(raw_contract_missing_columns(
                    node, path, described.columns[0].values())) -%}
            {%- endif -%}
        {%- endif -%}
    {%- endfor -%}
    {%- do raise_raw_contract_problems(problems) -%}
    {{ return('') }}
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
    Spark: the sources resolve to raw.<table>; each run (re)registers every
    raw file as an external table of schema `raw` over the file (parquet, or
    CSV with a header read as text: staging casts it). Dropping such a table
    leaves the file alone. A file that is missing is reported like on DuckDB,
    from a listing of raw_dir, before Spark is asked to read it.
-#}
{% macro spark__validate_raw_contract() %}
    {%- if not execute -%}{{ return('') }}{%- endif -%}
    {%- set fmt = raw_format() -%}
    {%- set nodes = [] -%}
    {%- for node in graph.sources.values()
        if node.source_name == 'raw' and node.package_name == project_name -%}
        {%- do nodes.append(node) -%}
    {%- endfor -%}
    {%- set present_files = raw_files_present_spark() -%}
    {%- set problems = [] -%}
    {%- do run_query("create schema if not exists raw") -%}
    {%- for node in nodes -%}
        {%- set path = raw_file_path(node.name) -%}
        {%- set relation = 'raw.' ~ node.name -%}
        {%- do run_query("drop table if exists " ~ relation) -%}
        {%- if (node.name ~ '.' ~ fmt) not in present_files -%}
            {%- do problems.append(
                "missing file " ~ path ~ " (table '" ~ node.name ~ "')") -%}
        {%- else -%}
            {%- if fmt == 'csv' -%}
                {%- set options = "path " ~ cs_sql_string(path)
                    ~ ", header 'true', inferSchema 'false'"
                    ~ ", multiLine 'true', sep ',', quote '\"'"
                    ~ ", escape '\"'" -%}
            {%- else -%}
                {%- set options = "path " ~ cs_sql_string(path) -%}
            {%- endif -%}
            {%- do run_query("create table " ~ relation ~ " using " ~ fmt
                ~ " options (" ~ options ~ ")") -%}
            {%- do problems.extend(raw_contract_missing_columns(
                node, path, run_query(
                    "select * from " ~ relation ~ " where 1 = 0").column_names)) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- do raise_raw_contract_problems(problems) -%}
    {{ return('') }}
{% endmacro %}

{#- Spark: names of the files directly in raw_dir with the raw format's
    extension (empty when raw_dir does not exist). Spark fails on a path
    that does not exist, so a local raw_dir is first checked with
    java.io.File (through Spark's Utils.resolveURI, which ends the URI of an
    existing directory with '/'); a remote one (s3a://...) is listed as is. -#}
{% macro raw_files_present_spark() %}
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
    Keep in step with external_location in _raw__sources.yml. -#}
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
