{#-
    Each CSM's accounts, ranked (worklist_rank 1 = first to work on): by the
    urgency of the account's most urgent current segment (catalog priority,
    1 = most urgent: risk composites first), then value (value_tier_rank),
    then renewal proximity (days_to_term_end), then ARR. The playbook to run
    is the catalog playbook of that most urgent segment. Accounts with no
    CSM are listed under csm_id null, so that they are not lost.
    New entries (segments entered at this as-of date, as in
    rpt_segment_changes) are marked: their playbooks start now.
-#}
with

accounts as (

    select
        account_id,
        account_name,
        csm_id,
        csm_name,
        as_of_date,
        arr_usd,
        value_tier,
        value_tier_rank,
        engagement_model,
        lifecycle_stage,
        current_term_end_date,
        days_to_term_end,
        outcome_status,
        churn_flag_count
    from {{ ref('dim_accounts') }}

),

account_segments as (

    select
        account_id,
        segment_key,
        as_of_date,
        entered_at
    from {{ ref('fct_account_segments') }}

),

segments as (

    select
        segment_key,
        segment_name,
        playbook,
        engagement_model,
        priority
    from {{ ref('dim_segments') }}

),

segments_ranked as (

    select
        account_segments.account_id,
        account_segments.segment_key,
        segments.segment_name,
        segments.playbook,
        segments.engagement_model,
        segments.priority,
        coalesce(
            account_segments.entered_at = account_segments.as_of_date, false
        ) as is_new_entry,
        row_number() over (
            partition by account_segments.account_id
            order by segments.priority, account_segments.segment_key
        ) as urgency_order
    from account_segments
    inner join segments
        on account_segments.segment_key = segments.segment_key

),

segment_lists as (

    select
        account_id,
        count(*) as segment_count,
        {{ segment_listagg('segment_key', ['priority', 'segment_key']) }}
            as segment_keys
    from segments_ranked
    group by 1

),

new_entries as (

    select
        account_id,
        {{ segment_listagg('segment_key', ['priority', 'segment_key']) }}
            as new_segment_keys
    from segments_ranked
    where is_new_entry = true
    group by 1

),

primary_segments as (

    select
        account_id,
        segment_key as primary_segment_key,
        segment_name as primary_segment_name,
        playbook,
        priority as primary_priority,
        is_new_entry as is_primary_segment_new
    from segments_ranked
    where urgency_order = 1

),

ranked as (

    select
        accounts.*,
        primary_segments.primary_segment_key,
        primary_segments.primary_segment_name,
        primary_segments.playbook,
        primary_segments.primary_priority,
        primary_segments.is_primary_segment_new,
        new_entries.new_segment_keys,
        segment_lists.segment_count,
        segment_lists.segment_keys,
        row_number() over (
            partition by accounts.csm_id
            order by
                coalesce(primary_segments.primary_priority, 999999) asc,
                coalesce(accounts.value_tier_rank, 999999) asc,
                coalesce(accounts.days_to_term_end, 999999) asc,
                accounts.arr_usd desc,
                accounts.account_id asc
        ) as worklist_rank
    from accounts
    left join primary_segments
        on accounts.account_id = primary_segments.account_id
    left join segment_lists
        on accounts.account_id = segment_lists.account_id
    left join new_entries
        on accounts.account_id = new_entries.account_id

),

final as (

    select
        cast(csm_id as {{ dbt.type_string() }}) as csm_id,
        cast(csm_name as {{ dbt.type_string() }}) as csm_name,
        cast(worklist_rank as integer) as worklist_rank,
        cast(account_id as {{ dbt.type_string() }}) as account_id,
        cast(account_name as {{ dbt.type_string() }}) as account_name,
        cast(as_of_date as date) as as_of_date,
        cast(primary_segment_key as {{ dbt.type_string() }})
            as primary_segment_key,
        cast(primary_segment_name as {{ dbt.type_string() }})
            as primary_segment_name,
        cast(primary_priority as integer) as primary_priority,
        cast(playbook as {{ dbt.type_string() }}) as playbook,
        cast(engagement_model as {{ dbt.type_string() }})
            as engagement_model,
        cast(value_tier as {{ dbt.type_string() }}) as value_tier,
        cast(arr_usd as decimal(18, 2)) as arr_usd,
        cast(lifecycle_stage as {{ dbt.type_string() }}) as lifecycle_stage,
        cast(current_term_end_date as date) as current_term_end_date,
        cast(days_to_term_end as integer) as days_to_term_end,
        cast(outcome_status as {{ dbt.type_string() }}) as outcome_status,
        cast(churn_flag_count as integer) as churn_flag_count,
        cast(segment_count as integer) as segment_count,
        cast(segment_keys as {{ dbt.type_string() }}) as segment_keys,
        coalesce(is_primary_segment_new, false) as is_primary_segment_new,
        cast(new_segment_keys as {{ dbt.type_string() }}) as new_segment_keys
    from ranked

)

select * from final
