{#-
    Every catalog segment that this build could compute (rpt_capabilities)
    has members at some weekly as-of date of the history, unless it is
    listed in var segments_documented_empty. A computable segment that is
    never produced means a broken rule or a catalog entry without a rule.
    Segments that cannot be computed from the data given (e.g. outcome
    segments without success_goals) are reported in rpt_capabilities
    instead. On failure the test stops with a message naming the keys and
    the var that documents them; its rows are the same keys.
-#}
{%- set missing_sql -%}
with

segments as (

    select segment_key
    from {{ ref('dim_segments') }}
    {% if var('segments_documented_empty') -%}
        where segment_key not in (
        {%- for key in var('segments_documented_empty') %}
        '{{ key }}'{{ "," if not loop.last }}
        {%- endfor %}
    )
    {%- endif %}

),

computable as (

    select capability_key as segment_key
    from {{ ref('rpt_capabilities') }}
    where capability_type = 'segment' and is_computed = true

),

produced as (

    select distinct segment_key
    from {{ ref('fct_account_segment_history') }}

)

select segments.segment_key
from segments
inner join computable
    on segments.segment_key = computable.segment_key
left join produced
    on segments.segment_key = produced.segment_key
where produced.segment_key is null
{%- endset -%}

{%- if execute and adapter.get_relation(
    database=ref('fct_account_segment_history').database,
    schema=ref('fct_account_segment_history').schema,
    identifier=ref('fct_account_segment_history').identifier) is not none -%}
    {%- set keys = run_query(missing_sql).columns[0].values() | list -%}
    {%- if keys -%}
        {{ exceptions.raise_compiler_error(
            "Catalog segments computable from this data but with no member "
            ~ "at any weekly as-of date: " ~ keys | sort | join(", ")
            ~ ". If that is right for your data, list them in var "
            ~ "segments_documented_empty (dbt_project.yml or --vars); "
            ~ "otherwise check their rules. Segments the data cannot "
            ~ "support are listed in rpt_capabilities.") }}
    {%- endif -%}
{%- endif %}

{{ missing_sql }}
