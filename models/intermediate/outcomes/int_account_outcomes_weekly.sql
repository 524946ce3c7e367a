{#-
    Outcomes dimension: one row per account and as_of_date (every account
    that existed on that date, with or without goals), summarising its success
    goals from int_goal_attainment_weekly.

    A goal counts for the account from its start_date until
    `outcome_goal_lookback_days` days after its due_date, so that an old
    missed or achieved goal stops deciding today's status. Goals achieved or
    on track "succeed"; the share of succeeding goals sets outcome_status:
    'no_goals' (no goal counts), 'achieving' (share >= var
    `outcome_achieving_share`), 'not_achieving' (share <= var
    `outcome_not_achieving_share`), otherwise 'partially_achieving'.
    Incremental on DuckDB (a table on Spark; macros/as_of_fingerprints.sql):
    each as-of date is stored with the fingerprint of its spine rows and
    goal judgements (the columns read here), the model's code and the vars
    it reads; a run recomputes the dates whose fingerprint is new or
    changed.
-#}
{{ config(**as_of_fingerprint_config()) }}
{%- set incremental = as_of_fingerprint_is_incremental() %}
{%- set recomputed_only = as_of_recomputed_only(incremental) %}
{%- set version = model_code_md5(
    vars_text([
        'outcome_goal_lookback_days', 'outcome_achieving_share',
        'outcome_not_achieving_share',
    ])
    ~ dbt.dateadd('day', -1, 'd') ~ dbt.type_numeric()) -%}
with

{{ as_of_fingerprint_ctes(
    [
        ('int_account_weeks', ['is_current']),
        ('int_goal_attainment_weekly', [
            'due_date', 'is_final', 'goal_status', 'attainment',
        ]),
    ],
    version, incremental) }},

goal_attainment as (

    select * from {{ ref('int_goal_attainment_weekly') }}
    {{ recomputed_only }}

),

account_as_of_dates as (

    select
        account_id,
        as_of_date,
        is_current
    from {{ ref('int_account_weeks') }}
    {{ recomputed_only }}

),

counted_goals as (

    select
        *,
        case when attainment > 1 then 1 else attainment end
            as capped_attainment
    from goal_attainment
    where
        due_date >= cast(
            {{ dbt.dateadd(
                'day',
                -1 * var('outcome_goal_lookback_days'),
                'as_of_date') }} as date
        )

),

goal_counts as (

    select
        account_id,
        as_of_date,
        count(*) as goals_total,
        sum(case when is_final then 0 else 1 end) as goals_open,
        sum(case when goal_status = 'achieved' then 1 else 0 end)
            as goals_achieved,
        sum(case when goal_status = 'on_track' then 1 else 0 end)
            as goals_on_track,
        sum(case when goal_status = 'at_risk' then 1 else 0 end)
            as goals_at_risk,
        sum(case when goal_status = 'missed' then 1 else 0 end)
            as goals_missed,
        avg(capped_attainment) as avg_capped_attainment
    from counted_goals
    group by 1, 2

),

accounts_with_goal_counts as (

    select
        account_as_of_dates.account_id,
        account_as_of_dates.as_of_date,
        account_as_of_dates.is_current,
        coalesce(goal_counts.goals_total, 0) as goals_total,
        coalesce(goal_counts.goals_open, 0) as goals_open,
        coalesce(goal_counts.goals_achieved, 0) as goals_achieved,
        coalesce(goal_counts.goals_on_track, 0) as goals_on_track,
        coalesce(goal_counts.goals_at_risk, 0) as goals_at_risk,
        coalesce(goal_counts.goals_missed, 0) as goals_missed,
        goal_counts.avg_capped_attainment
    from account_as_of_dates
    left join goal_counts
        on
            account_as_of_dates.account_id = goal_counts.account_id
            and account_as_of_dates.as_of_date = goal_counts.as_of_date

),

accounts_classified as (

    select
        *,
        goals_achieved + goals_on_track as goals_succeeding,
        case
            when goals_total = 0 then 'no_goals'
            when
                goals_achieved + goals_on_track
                >= goals_total * {{ var('outcome_achieving_share') }}
                then 'achieving'
            when
                goals_achieved + goals_on_track
                <= goals_total
                * {{ var('outcome_not_achieving_share') }}
                then 'not_achieving'
            else 'partially_achieving'
        end as outcome_status
    from accounts_with_goal_counts

),

final as (

    select
        accounts_classified.account_id,
        accounts_classified.as_of_date,
        accounts_classified.is_current,
        cast(accounts_classified.goals_total as integer) as goals_total,
        cast(accounts_classified.goals_open as integer) as goals_open,
        cast(accounts_classified.goals_achieved as integer) as goals_achieved,
        cast(accounts_classified.goals_on_track as integer) as goals_on_track,
        cast(accounts_classified.goals_at_risk as integer) as goals_at_risk,
        cast(accounts_classified.goals_missed as integer) as goals_missed,
        cast(accounts_classified.goals_succeeding as integer)
            as goals_succeeding,
        cast(
            accounts_classified.avg_capped_attainment
            as {{ dbt.type_numeric() }}
        ) as avg_capped_attainment,
        accounts_classified.outcome_status,
        recompute_dates.inputs_fingerprint,
        {{ run_started_at_timestamp() }} as loaded_at
    from accounts_classified
    inner join recompute_dates
        on accounts_classified.as_of_date = recompute_dates.as_of_date

)

select * from final
