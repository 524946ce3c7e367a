{#-
    Each CSM's load against max_accounts at the current as-of date: accounts
    and ARR carried, how many need high-touch, how many are in a risk
    composite (high_value_at_risk or renewal_at_risk), and whether the CSM is
    over capacity.
-#}
with

csms as (

    select
        csm_id,
        csm_name,
        max_accounts
    from {{ ref('stg_raw__csms') }}

),

accounts as (

    select
        account_id,
        csm_id,
        arr_usd,
        engagement_model,
        lifecycle_stage
    from {{ ref('dim_accounts') }}
    where csm_id is not null

),

account_segments as (

    select
        account_id,
        segment_key
    from {{ ref('fct_account_segments') }}

),

at_risk_accounts as (

    select distinct account_id
    from account_segments
    where segment_key in (
        {{ segment_key('high_value_at_risk') }},
        {{ segment_key('renewal_at_risk') }}
    )

),

load_per_csm as (

    select
        accounts.csm_id,
        count(*) as assigned_accounts,
        sum(
            case when accounts.lifecycle_stage = 'churned' then 0 else 1 end
        ) as active_accounts,
        sum(accounts.arr_usd) as assigned_arr_usd,
        sum(
            case when accounts.engagement_model = 'high-touch' then 1 else 0 end
        ) as high_touch_accounts,
        sum(
            case when at_risk_accounts.account_id is not null then 1 else 0 end
        ) as at_risk_accounts
    from accounts
    left join at_risk_accounts
        on accounts.account_id = at_risk_accounts.account_id
    group by 1

),

final as (

    select
        cast(csms.csm_id as {{ dbt.type_string() }}) as csm_id,
        cast(csms.csm_name as {{ dbt.type_string() }}) as csm_name,
        cast(csms.max_accounts as integer) as max_accounts,
        cast(coalesce(load_per_csm.assigned_accounts, 0) as integer)
            as assigned_accounts,
        cast(coalesce(load_per_csm.active_accounts, 0) as integer)
            as active_accounts,
        cast(coalesce(load_per_csm.assigned_arr_usd, 0) as decimal(18, 2))
            as assigned_arr_usd,
        cast(coalesce(load_per_csm.high_touch_accounts, 0) as integer)
            as high_touch_accounts,
        cast(coalesce(load_per_csm.at_risk_accounts, 0) as integer)
            as at_risk_accounts,
        {{ cs_decimal(
            'case when csms.max_accounts > 0 then cast(coalesce('
            ~ 'load_per_csm.assigned_accounts, 0) as decimal(18, 4))'
            ~ ' / csms.max_accounts end', 18, 4) }} as load_ratio,
        coalesce(load_per_csm.assigned_accounts, 0) > csms.max_accounts
            as is_over_capacity
    from csms
    left join load_per_csm
        on csms.csm_id = load_per_csm.csm_id

)

select * from final
