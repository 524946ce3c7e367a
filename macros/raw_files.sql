{#-
    on-run-start check of the raw input contract declared in
    models/staging/raw/_raw__sources.yml: every table's file exists and has
    every required column. Stops the run with one message that names each
    missing file and column, before any model reads the data.
-#}
{% macro validate_raw_contract() %}
    {{ return(adapter.dispatch('validate_raw_contract', 'cs_segments')()) }}
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
            "select count(*) from glob('" ~ path ~ "')").columns[0].values()[0] -%}
        {%- if found == 0 -%}
            {%- do problems.append(
                "missing file " ~ path ~ " (table '" ~ node.name ~ "')") -%}
        {%- else -%}
            {%- set described = run_query(
                "describe select * from " ~ raw_file_reader(node.name)) -%}
            {%- set present = described.columns[0].values()
                | map('lower') | list -%}
            {%- for column in node.columns.values() -%}
                {%- set optional = (column.meta or {}).get('optional', false) -%}
                {%- if not optional and column.name | lower not in present -%}
                    {%- do problems.append(
                        "file " ~ path ~ " is missing required column '"
                        ~ column.name ~ "'") -%}
                {%- endif -%}
            {%- endfor -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if problems -%}
        {{ exceptions.raise_compiler_error(
            "Raw input contract violated (raw_dir="
            ~ raw_dir() ~ ", raw_format=" ~ raw_format() ~ "):\n  - "
            ~ problems | join("\n  - ")
            ~ "\nSee README.md, section 'Raw data contract'.") }}
    {%- endif -%}
    {{ return('') }}
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
    staging casts it and quarantines what does not parse. -#}
{% macro raw_file_reader(table_name) -%}
    {%- if raw_format() == 'csv' -%}
        read_csv('{{ raw_file_path(table_name) }}', header = true,
            all_varchar = true, auto_detect = true)
    {%- else -%}
        read_parquet('{{ raw_file_path(table_name) }}')
    {%- endif -%}
{%- endmacro %}
