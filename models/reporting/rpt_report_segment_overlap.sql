{#-
    Report chart "segment overlap" (UpSet-style): per combination of
    behaviour and composite segments an account holds at the current as-of
    date, the accounts holding exactly that combination.
-#}
with

account_segments as (

    select
        account_id,
        segment_key
    from {{ ref('fct_account_segments') }}
    where dimension in ('behaviour', 'composite')

),

combinations as (

    select
        account_id,
        count(*) as segment_count,
        {{ segment_listagg('segment_key', ['segment_key']) }}
            as segment_combination
    from account_segments
    group by 1

),

final as (

    select
        segment_combination,
        segment_count,
        count(*) as account_count
    from combinations
    group by 1, 2

)

select * from final
