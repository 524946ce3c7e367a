{#-
    One row per account at the current as-of date: firmographics, CSM, ARR,
    the static tier (value_tier: exactly one per account, the pyramid) with
    its engagement model from the segment catalog, lifecycle stage and
    outcome status. No PII (user e-mails never reach a mart).
-#}
with

accounts as (

    select
        account_id,
        account_name,
        industry,
        country,
        employee_count,
        created_at,
        csm_id
    from {{ ref('stg_raw__accounts') }}

),

csms as (

    select
        csm_id,
        csm_name
    from {{ ref('stg_raw__csms') }}

),

segment_rules as (

    select
        account_id,
        as_of_date,
        value_tier,
        value_tier_rank,
        arr_usd,
        licensed_seats,
        lifecycle_stage,
        current_term_end_date,
        days_to_term_end,
        outcome_status,
        active_users_30d,
        seat_utilisation_30d,
        churn_flag_count,
        churn_risk_score
    from {{ ref('int_account_segment_rules_weekly') }}
    where is_current = true

),

segments as (

    select
        segment_key,
        engagement_model
    from {{ ref('dim_segments') }}
    where dimension = 'value'

),

final as (

    select
        cast(accounts.account_id as {{ dbt.type_string() }}) as account_id,
        cast(accounts.account_name as {{ dbt.type_string() }})
            as account_name,
        cast(accounts.industry as {{ dbt.type_string() }}) as industry,
        cast(accounts.country as {{ dbt.type_string() }}) as country,
        cast(accounts.employee_count as integer) as employee_count,
        cast(accounts.created_at as timestamp) as created_at,
        cast(accounts.csm_id as {{ dbt.type_string() }}) as csm_id,
        cast(csms.csm_name as {{ dbt.type_string() }}) as csm_name,
        cast(segment_rules.as_of_date as date) as as_of_date,
        cast(segment_rules.arr_usd as decimal(18, 2)) as arr_usd,
        cast(segment_rules.licensed_seats as integer) as licensed_seats,
        cast(segment_rules.value_tier as {{ dbt.type_string() }})
            as value_tier,
        cast(segment_rules.value_tier_rank as integer) as value_tier_rank,
        cast(segments.engagement_model as {{ dbt.type_string() }})
            as engagement_model,
        cast(segment_rules.lifecycle_stage as {{ dbt.type_string() }})
            as lifecycle_stage,
        cast(segment_rules.current_term_end_date as date)
            as current_term_end_date,
        cast(segment_rules.days_to_term_end as integer) as days_to_term_end,
        cast(segment_rules.outcome_status as {{ dbt.type_string() }})
            as outcome_status,
        cast(segment_rules.active_users_30d as integer) as active_users_30d,
        {{ cs_decimal('segment_rules.seat_utilisation_30d', 18, 4) }}
            as seat_utilisation_30d,
        cast(segment_rules.churn_flag_count as integer) as churn_flag_count,
        {{ cs_decimal('segment_rules.churn_risk_score', 18, 2) }}
            as churn_risk_score
    from accounts
    left join segment_rules
        on accounts.account_id = segment_rules.account_id
    left join csms
        on accounts.csm_id = csms.csm_id
    left join segments
        on
            segments.segment_key
            = {{ dbt.concat(["'value_'", 'segment_rules.value_tier']) }}

)

select * from final
