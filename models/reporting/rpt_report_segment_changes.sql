{#- Report chart "this week's changes": entries and exits per segment
    (rpt_segment_changes) with the ARR concerned. -#}
with

changes as (

    select
        segment_key,
        segment_name,
        priority,
        change_type,
        arr_usd
    from {{ ref('rpt_segment_changes') }}

),

final as (

    select
        segment_key,
        segment_name,
        priority,
        sum(case when change_type = 'entered' then 1 else 0 end)
            as entered_accounts,
        sum(case when change_type = 'left' then 1 else 0 end)
            as left_accounts,
        sum(case when change_type = 'entered' then arr_usd else 0 end)
            as entered_arr_usd
    from changes
    group by 1, 2, 3

)

select * from final
