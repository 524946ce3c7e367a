{#-
    What the dynamic segments show that the static pyramid hides: for every
    value tier and every non-value segment of the catalog (behaviour,
    lifecycle, outcome, composite), how many of the tier's accounts and how
    much of its ARR are in the segment. E.g. the share of strategic ARR in
    behaviour_churn_risk, or the long-tail accounts in ready_to_expand.
    Tier x segment pairs with no member are kept, with zeros.
-#}
with

accounts as (

    select
        account_id,
        as_of_date,
        value_tier,
        value_tier_rank,
        arr_usd
    from {{ ref('dim_accounts') }}

),

account_segments as (

    select
        account_id,
        segment_key
    from {{ ref('fct_account_segments') }}

),

segments as (

    select
        segment_key,
        dimension,
        segment_name,
        catalog_order
    from {{ ref('dim_segments') }}
    where dimension != 'value'

),

tiers as (

    select
        as_of_date,
        value_tier,
        value_tier_rank,
        count(*) as tier_accounts,
        sum(arr_usd) as tier_arr_usd
    from accounts
    group by 1, 2, 3

),

members_per_tier as (

    select
        accounts.value_tier,
        account_segments.segment_key,
        count(*) as segment_accounts,
        sum(accounts.arr_usd) as segment_arr_usd
    from accounts
    inner join account_segments
        on accounts.account_id = account_segments.account_id
    group by 1, 2

),

tier_segment_pairs as (

    select
        tiers.as_of_date,
        tiers.value_tier,
        tiers.value_tier_rank,
        tiers.tier_accounts,
        tiers.tier_arr_usd,
        segments.segment_key,
        segments.dimension,
        segments.segment_name,
        segments.catalog_order,
        coalesce(members_per_tier.segment_accounts, 0) as segment_accounts,
        coalesce(members_per_tier.segment_arr_usd, 0) as segment_arr_usd
    from tiers
    cross join segments
    left join members_per_tier
        on
            tiers.value_tier = members_per_tier.value_tier
            and segments.segment_key = members_per_tier.segment_key

),

final as (

    select
        cast(as_of_date as date) as as_of_date,
        cast(value_tier as {{ dbt.type_string() }}) as value_tier,
        cast(value_tier_rank as integer) as value_tier_rank,
        cast(segment_key as {{ dbt.type_string() }}) as segment_key,
        cast(dimension as {{ dbt.type_string() }}) as dimension,
        cast(segment_name as {{ dbt.type_string() }}) as segment_name,
        cast(catalog_order as integer) as catalog_order,
        cast(tier_accounts as integer) as tier_accounts,
        cast(tier_arr_usd as decimal(18, 2)) as tier_arr_usd,
        cast(segment_accounts as integer) as segment_accounts,
        cast(segment_arr_usd as decimal(18, 2)) as segment_arr_usd,
        {{ cs_decimal(
            'case when tier_accounts > 0 then cast(segment_accounts as'
            ~ ' decimal(18, 4)) / tier_accounts end', 18, 4) }}
            as share_of_tier_accounts,
        {{ cs_decimal(
            'case when tier_arr_usd > 0 then cast(segment_arr_usd as'
            ~ ' decimal(18, 4)) / tier_arr_usd end', 18, 4) }}
            as share_of_tier_arr
    from tier_segment_pairs

)

select * from final
