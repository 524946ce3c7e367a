{#-
    Every capability of the project with the inputs it needs, one row per
    capability, requirement group and input, with the input's availability
    in this build. Capabilities: the dimensions, measures and candidate
    behaviours of the capability_requirements seed (a behaviour key with
    `*` is expanded to each key feature of the event_catalog seed), and the
    segments of var segment_catalog (fields requires, requires_any).
    A capability is computable when every input of at least one of its
    requirement groups is available. A segment without requires_any has one
    group (its `requires`, or accounts when it lists none); with
    requires_any, one group per listed input, each with `requires` too.
    churn_indicators is learned later (int_churn_indicator_lift): its
    availability is left null here and resolved in rpt_capabilities.
-#}
with

requirements as (

    select
        capability_type,
        capability_key,
        required_input
    from {{ ref('capability_requirements') }}

),

key_features as (

    select event_name
    from {{ ref('event_catalog') }}
    where is_key_feature = true

),

availability as (

    select
        input_key,
        is_available,
        unavailable_reason
    from {{ ref('int_input_availability') }}

),

seeded as (

    select
        capability_type,
        capability_key,
        1 as requirement_group,
        required_input
    from requirements
    where capability_key not like '%*%'

    union all

    select
        requirements.capability_type,
        replace(
            requirements.capability_key, '*', key_features.event_name
        ) as capability_key,
        1 as requirement_group,
        requirements.required_input
    from requirements
    cross join key_features
    where requirements.capability_key like '%*%'

),

{%- set segment_rows = [] -%}
{%- for segment in var('segment_catalog') -%}
    {%- set requires = segment.get('requires') or ['accounts'] -%}
    {%- set any_of = segment.get('requires_any') or [] -%}
    {%- if any_of -%}
        {%- for extra in any_of -%}
            {%- set group_number = loop.index -%}
            {%- for input in requires + [extra] -%}
                {%- do segment_rows.append(
                    (segment.key, group_number, input)) -%}
            {%- endfor -%}
        {%- endfor -%}
    {%- else -%}
        {%- for input in requires -%}
            {%- do segment_rows.append((segment.key, 1, input)) -%}
        {%- endfor -%}
    {%- endif -%}
{%- endfor %}

segments as (

    {% for key, requirement_group, input in segment_rows -%}
        select
            'segment' as capability_type,
            '{{ key }}' as capability_key,
            {{ requirement_group }} as requirement_group,
            '{{ input }}' as required_input
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

all_requirements as (

    select * from seeded
    union all
    select * from segments

),

final as (

    select
        all_requirements.capability_type,
        all_requirements.capability_key,
        cast(all_requirements.requirement_group as integer)
            as requirement_group,
        all_requirements.required_input,
        availability.is_available as input_is_available,
        availability.unavailable_reason as input_unavailable_reason
    from all_requirements
    left join availability
        on all_requirements.required_input = availability.input_key

)

select * from final
