{#-
    Every candidate behaviour declares the inputs it needs in the
    capability_requirements seed (a behaviour without a declaration would
    silently drop out of the churn-indicator analysis), and the parse-time
    list of raw tables staging_raw_tables() (macros/staging.sql) equals the
    raw contract in names and primary keys. Returns the behaviour keys and
    the tables that differ.
-#}
with

candidate_keys as (

    select behaviour_key
    from {{ ref('int_behaviour_candidate_keys') }}

),

declared as (

    select distinct capability_key
    from {{ ref('int_capability_requirements') }}
    where capability_type = 'behaviour'

),

{#- The parse-time list staging_raw_tables() against the raw contract
    (names and primary keys), compared when the graph is known. -#}
{%- set mismatched = [] -%}
{%- if execute -%}
    {%- set contract = {} -%}
    {%- for node in raw_source_nodes() -%}
        {%- do contract.update(
            {node.name: raw_table_meta(node.name).get('primary_key')}) -%}
    {%- endfor -%}
    {%- set listed = {} -%}
    {%- for table in staging_raw_tables() -%}
        {%- do listed.update({table.name: table.key}) -%}
    {%- endfor -%}
    {%- for name in (contract.keys() | list) + (listed.keys() | list)
        if contract.get(name) != listed.get(name)
        and name not in mismatched -%}
        {%- do mismatched.append(name) -%}
    {%- endfor -%}
{%- endif %}

mismatched_tables as (

    {% for name in mismatched -%}
        select '{{ name }}' as table_name
        union all
    {% endfor -%}
    select cast(null as {{ dbt.type_string() }}) as table_name
    from (select 1 as no_row) as no_rows
    where 1 = 0

)

select
    'behaviour' as missing_kind,
    candidate_keys.behaviour_key as missing_key
from candidate_keys
left join declared
    on candidate_keys.behaviour_key = declared.capability_key
where declared.capability_key is null

union all

select
    'raw_table' as missing_kind,
    table_name as missing_key
from mismatched_tables
