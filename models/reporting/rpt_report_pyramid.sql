{#- Report chart "static pyramid": accounts and ARR per value tier. -#}
with

accounts as (

    select
        value_tier,
        value_tier_rank,
        engagement_model,
        arr_usd
    from {{ ref('dim_accounts') }}

),

final as (

    select
        value_tier,
        value_tier_rank,
        engagement_model,
        count(*) as account_count,
        coalesce(sum(arr_usd), 0) as arr_usd
    from accounts
    group by 1, 2, 3

)

select * from final
