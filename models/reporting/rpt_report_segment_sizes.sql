{#- Report chart "segment sizes over time": accounts per behaviour and
    composite segment on every weekly as-of date of the history. -#}
with

segment_membership as (

    select
        as_of_date,
        segment_key,
        dimension
    from {{ ref('int_account_segment_membership_weekly') }}
    where dimension in ('behaviour', 'composite')

),

final as (

    select
        as_of_date,
        segment_key,
        dimension,
        count(*) as account_count
    from segment_membership
    group by 1, 2, 3

)

select * from final
