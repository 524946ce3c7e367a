{#-
    PII: no column of a model under models/marts is an e-mail (name contains
    'email'). Returns the offending model and column names.
    Runs after the marts listed below (new marts: add a line).
-#}
{%- set problems = [] -%}
{%- if execute -%}
    {%- for node in graph.nodes.values()
        if node.resource_type == 'model'
        and node.package_name == project_name
        and node.original_file_path.startswith('models/marts/') -%}
        {%- set relation = adapter.get_relation(
            database=node.database, schema=node.schema,
            identifier=node.alias) -%}
        {%- if relation is not none -%}
            {%- for column in adapter.get_columns_in_relation(relation)
                if 'email' in column.name | lower -%}
                {%- do problems.append((node.name, column.name)) -%}
            {%- endfor -%}
        {%- endif -%}
    {%- endfor -%}
{%- endif -%}


-- depends_on: {{ ref('dim_accounts') }}
-- depends_on: {{ ref('dim_segments') }}
-- depends_on: {{ ref('fct_account_segments') }}
-- depends_on: {{ ref('fct_account_segment_history') }}
-- depends_on: {{ ref('fct_segment_transitions') }}
-- depends_on: {{ ref('account_segment_matrix') }}
-- depends_on: {{ ref('rpt_static_vs_dynamic') }}
-- depends_on: {{ ref('rpt_csm_worklist') }}
-- depends_on: {{ ref('rpt_csm_load') }}
select
    model_name,
    column_name
from (
    {% for model_name, column_name in problems -%}
        select
            {{ segment_literal(model_name) }} as model_name,
            {{ segment_literal(column_name) }} as column_name
        union all
    {% endfor -%}
    select
        'none' as model_name,
        'none' as column_name
) as problem_rows
where model_name != 'none'
