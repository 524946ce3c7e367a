{#-
    What this build could compute, from the data it was given: one row per
    dimension, measure, candidate behaviour and segment, computed or not and
    why (e.g. "usage_events has no user_id"). Inputs and requirements come
    from int_capability_requirements; churn_indicators is available when
    int_churn_indicator_lift selected at least one indicator. A capability
    is computed when every input of at least one of its requirement groups
    is available.
-#}
with

requirements as (

    select * from {{ ref('int_capability_requirements') }}

),

lift as (

    select
        behaviour_key,
        analysis_status,
        is_selected
    from {{ ref('int_churn_indicator_lift') }}

),

churn_indicator_counts as (

    select
        count(behaviour_key) as n_candidates,
        coalesce(sum(case when is_selected then 1 else 0 end), 0)
            as n_selected,
        coalesce(
            max(
                case
                    when analysis_status = 'insufficient_churned_accounts'
                        then 1
                    else 0
                end
            ),
            0
        ) as is_insufficient
    from lift

),

churn_indicator_input as (

    select
        n_selected > 0 as is_available,
        case
            when n_candidates = 0
                then 'no candidate behaviour has its inputs'
            when is_insufficient = 1
                then
                    'too few churned accounts to learn churn indicators'
                    || ' (var indicator_min_churned_accounts)'
            when n_selected = 0
                then
                    'no behaviour passed the churn-indicator selection'
                    || ' (vars indicator_min_lift, indicator_min_churned_with)'
        end as unavailable_reason
    from churn_indicator_counts

),

resolved as (

    select
        requirements.capability_type,
        requirements.capability_key,
        requirements.requirement_group,
        requirements.required_input,
        case
            when requirements.required_input = 'churn_indicators'
                then churn_indicator_input.is_available
            else coalesce(requirements.input_is_available, false)
        end as is_available,
        case
            when requirements.required_input = 'churn_indicators'
                then churn_indicator_input.unavailable_reason
            else
                coalesce(
                    requirements.input_unavailable_reason,
                    requirements.required_input || ' is not an input'
                )
        end as unavailable_reason
    from requirements
    cross join churn_indicator_input

),

groups_met as (

    select
        capability_type,
        capability_key,
        requirement_group,
        min(case when is_available then 1 else 0 end) as is_met
    from resolved
    group by 1, 2, 3

),

capabilities as (

    select
        capability_type,
        capability_key,
        max(is_met) as is_met
    from groups_met
    group by 1, 2

),

listed as (

    select
        capability_type,
        capability_key,
        {{ string_agg_distinct('required_input') }} as required_inputs,
        {{ string_agg_distinct(
            'case when not is_available then unavailable_reason end',
            '; ') }} as missing_reasons
    from resolved
    group by 1, 2

),

final as (

    select
        capabilities.capability_type,
        capabilities.capability_key,
        capabilities.is_met = 1 as is_computed,
        cast(listed.required_inputs as {{ dbt.type_string() }})
            as required_inputs,
        cast(
            case when capabilities.is_met = 0 then listed.missing_reasons end
            as {{ dbt.type_string() }}
        ) as not_computed_reason
    from capabilities
    inner join listed
        on
            capabilities.capability_type = listed.capability_type
            and capabilities.capability_key = listed.capability_key

)

select * from final
