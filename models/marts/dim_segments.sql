{#-
    The segment catalog (var segment_catalog in dbt_project.yml) as a table,
    for BI joins: one row per segment. Rows are generated from the var, so a
    catalog change is a YAML diff only.
-#}
{%- set documented_empty = var('segments_documented_empty') -%}
with

catalog as (

    {% for entry in segment_catalog() -%}
        select
            {{ segment_literal(entry['key']) }} as segment_key,
            {{ segment_literal(entry['dimension']) }} as dimension,
            {{ segment_literal(entry['name']) }} as segment_name,
            {{ segment_literal(entry['description']) }} as description,
            {{ segment_literal(entry['rule']) }} as rule_text,
            {{ segment_literal(entry['engagement_model']) }}
                as engagement_model,
            {{ segment_literal(entry['playbook']) }} as playbook,
            {{ segment_literal(entry['owner']) }} as owner_team,
            {{ entry['priority'] | int }} as priority,
            {{ loop.index }} as catalog_order,
            {{ 'true' if entry['key'] in documented_empty else 'false' }}
                as is_documented_empty
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

final as (

    select
        cast(segment_key as {{ dbt.type_string() }}) as segment_key,
        cast(dimension as {{ dbt.type_string() }}) as dimension,
        cast(segment_name as {{ dbt.type_string() }}) as segment_name,
        cast(description as {{ dbt.type_string() }}) as description,
        cast(rule_text as {{ dbt.type_string() }}) as rule_text,
        cast(engagement_model as {{ dbt.type_string() }}) as engagement_model,
        cast(playbook as {{ dbt.type_string() }}) as playbook,
        cast(owner_team as {{ dbt.type_string() }}) as owner_team,
        cast(priority as integer) as priority,
        cast(catalog_order as integer) as catalog_order,
        is_documented_empty
    from catalog

)

select * from final
