-- The query a BI tool runs for the "high value at risk" list: accounts in
-- the segment with their ARR, CSM and the evidence that put them there.
-- Compile with `dbt compile --select high_value_at_risk`.
select
    dim_account.account_name,
    dim_account.value_tier,
    dim_account.arr_usd,
    dim_account.csm_name,
    membership.entered_at,
    membership.evidence
from {{ ref('fct_account_segments') }} as membership
inner join {{ ref('dim_accounts') }} as dim_account
    on membership.account_id = dim_account.account_id
where membership.segment_key = 'high_value_at_risk'
order by 3 desc
