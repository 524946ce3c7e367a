{#-
    Report chart "flows": moves between lifecycle stages and between value
    tiers (fct_segment_transitions entries that name the segment left) in
    the last 91 days (13 week ends and the as-of date: a quarter), counted
    per from -> to.
-#}
with

transitions as (

    select
        dimension,
        from_segment_key,
        segment_key,
        transition_date
    from {{ ref('fct_segment_transitions') }}
    where
        transition_type = 'entered'
        and from_segment_key is not null
        and dimension in ('lifecycle', 'value')

),

current_as_of as (

    select max(as_of_date) as current_as_of_date
    from {{ ref('int_as_of_dates') }}

),

final as (

    select
        transitions.dimension,
        transitions.from_segment_key,
        transitions.segment_key as to_segment_key,
        count(*) as moves
    from transitions
    cross join current_as_of
    where
        transitions.transition_date
        > {{ behaviour_days_before('current_as_of.current_as_of_date', 91) }}
    group by 1, 2, 3

)

select * from final
