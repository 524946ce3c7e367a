{#-
    Segment enter and exit events, from the validity intervals of
    fct_account_segment_history: 'entered' on valid_from, 'exited' on
    valid_to (the first as-of date the account was no longer a member).
    In the mutually exclusive dimensions (var segment_exclusive_dimensions:
    value, lifecycle, outcome) an exit and an entry of the same account,
    dimension and date are one move: from_segment_key / to_segment_key name
    the other side. is_initial_entry marks the entries on the account's first
    as-of date (the state it started in, not a change).
-#}
{%- set exclusive_dimensions = var('segment_exclusive_dimensions') -%}
with

segment_history as (

    select
        account_id,
        segment_key,
        dimension,
        valid_from,
        valid_to
    from {{ ref('fct_account_segment_history') }}

),

first_as_of_per_account as (

    select
        account_id,
        min(valid_from) as first_as_of_date
    from segment_history
    group by 1

),

entries as (

    select
        account_id,
        segment_key,
        dimension,
        valid_from as transition_date,
        'entered' as transition_type
    from segment_history

),

exits as (

    select
        account_id,
        segment_key,
        dimension,
        valid_to as transition_date,
        'exited' as transition_type
    from segment_history
    where valid_to is not null

),

events as (

    select * from entries
    union all
    select * from exits

),

events_linked as (

    select
        events.account_id,
        events.segment_key,
        events.dimension,
        events.transition_date,
        events.transition_type,
        case
            when events.transition_type = 'entered'
                then counterpart.segment_key
        end as from_segment_key,
        case
            when events.transition_type = 'exited'
                then counterpart.segment_key
        end as to_segment_key,
        coalesce(
            events.transition_type = 'entered'
            and events.transition_date
            = first_as_of_per_account.first_as_of_date,
            false
        ) as is_initial_entry
    from events
    inner join first_as_of_per_account
        on events.account_id = first_as_of_per_account.account_id
    left join events as counterpart
        on
            events.account_id = counterpart.account_id
            and events.dimension = counterpart.dimension
            and events.transition_date = counterpart.transition_date
            and events.transition_type != counterpart.transition_type
            and events.dimension in {{ segment_literal_list(
                exclusive_dimensions) }}

),

final as (

    select
        cast(account_id as {{ dbt.type_string() }}) as account_id,
        cast(segment_key as {{ dbt.type_string() }}) as segment_key,
        cast(dimension as {{ dbt.type_string() }}) as dimension,
        cast(transition_date as date) as transition_date,
        cast(transition_type as {{ dbt.type_string() }}) as transition_type,
        cast(from_segment_key as {{ dbt.type_string() }}) as from_segment_key,
        cast(to_segment_key as {{ dbt.type_string() }}) as to_segment_key,
        is_initial_entry
    from events_linked

)

select * from final
