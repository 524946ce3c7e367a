{#-
    Every candidate behaviour declares the inputs it needs in the
    capability_requirements seed (a behaviour without a declaration would
    silently drop out of the churn-indicator analysis), and every raw table
    of the contract has its staging outcomes in int_staging_outcomes (its
    list of tables is written there because dbt parses refs before it knows
    the sources). Returns the behaviour keys and tables that are missing.
-#}
with

candidate_keys as (

    select distinct behaviour_key
    from {{ ref('int_account_behaviour_candidates_weekly') }}
    where is_current = true

),

declared as (

    select distinct capability_key
    from {{ ref('int_capability_requirements') }}
    where capability_type = 'behaviour'

),

contract_tables as (

    {% if execute -%}
        {% for node in raw_source_nodes() -%}
            select '{{ node.name }}' as table_name
            {% if not loop.last %}union all{% endif %}
        {% endfor %}
    {%- else -%}
    select 'accounts' as table_name
    {%- endif %}

),

summarised as (

    select distinct table_name
    from {{ ref('int_staging_outcomes') }}

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
    contract_tables.table_name as missing_key
from contract_tables
left join summarised
    on contract_tables.table_name = summarised.table_name
where summarised.table_name is null
