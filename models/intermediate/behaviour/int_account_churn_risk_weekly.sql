{#-
    Churn risk per account and as-of date (same rows as
    int_account_behaviour_weekly): how many learned churn flags are present,
    the highest-ranked one, and is_at_risk when at least
    `behaviour_at_risk_min_flags` flags are present.
-#}
with

behaviour as (

    select
        account_id,
        as_of_date,
        is_current
    from {{ ref('int_account_behaviour_weekly') }}

),

flags as (

    select
        account_id,
        as_of_date,
        behaviour_key,
        lift_rank
    from {{ ref('int_account_behaviour_flags_weekly') }}

),

analysis as (

    select max(analysis_status) as indicator_analysis_status
    from {{ ref('int_churn_indicator_lift') }}

),

ranked_flags as (

    select
        account_id,
        as_of_date,
        behaviour_key,
        count(*) over (
            partition by account_id, as_of_date
        ) as churn_flag_count,
        row_number() over (
            partition by account_id, as_of_date
            order by lift_rank, behaviour_key
        ) as flag_order
    from flags

),

top_flags as (

    select
        account_id,
        as_of_date,
        churn_flag_count,
        behaviour_key as top_churn_flag
    from ranked_flags
    where flag_order = 1

),

final as (

    select
        behaviour.account_id,
        behaviour.as_of_date,
        behaviour.is_current,
        cast(coalesce(top_flags.churn_flag_count, 0) as integer)
            as churn_flag_count,
        top_flags.top_churn_flag,
        coalesce(top_flags.churn_flag_count, 0)
        >= {{ var('behaviour_at_risk_min_flags', 1) }} as is_at_risk,
        analysis.indicator_analysis_status
    from behaviour
    cross join analysis
    left join top_flags
        on
            behaviour.account_id = top_flags.account_id
            and behaviour.as_of_date = top_flags.as_of_date

)

select * from final
