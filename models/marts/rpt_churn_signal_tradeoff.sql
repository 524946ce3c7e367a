{#-
    The thresholds' trade-off: behaviour_churn_risk recomputed for every
    combination of segment_churn_risk_min_flags (var
    backtest_tradeoff_min_flags) and segment_churn_risk_min_score (var
    backtest_tradeoff_min_scores): an account is flagged when it carries at
    least min_flags learned flags or its flags' lifts add up to at least
    min_score. Per learning mode and horizon, all judged as-of dates pooled,
    overall: the confusion counts, precision, recall, lift with intervals,
    and the average number of accounts flagged per week (the CSM workload).
    is_current_setting marks the thresholds the segments use now.
-#}
with

population as (

    select
        account_id,
        as_of_date,
        days_to_churn
    from {{ ref('int_churn_backtest_population') }}

),

flags as (

    select
        account_id,
        as_of_date,
        learning_mode,
        lift
    from {{ ref('int_churn_backtest_flags') }}

),

current_as_of as (

    select max(as_of_date) as current_as_of_date
    from {{ ref('int_as_of_dates') }}

),

horizons as (
    {{ backtest_horizons() }}
),

learning_modes as (

    select 'in_sample' as learning_mode
    union all
    select 'learned_before' as learning_mode

),

thresholds as (

    {%- set pairs = [] -%}
    {%- for min_flags in var('backtest_tradeoff_min_flags') -%}
        {%- for min_score in var('backtest_tradeoff_min_scores') -%}
            {%- do pairs.append((min_flags | int, min_score | float)) -%}
        {%- endfor -%}
    {%- endfor %}
    {% for min_flags, min_score in pairs -%}
        select
            {{ min_flags }} as min_flags,
            cast({{ min_score }} as decimal(18, 2)) as min_score
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

scores as (

    select
        account_id,
        as_of_date,
        learning_mode,
        count(*) as churn_flag_count,
        round(sum(coalesce(lift, 0)), 6) as churn_risk_score
    from flags
    group by 1, 2, 3

),

judged as (

    select
        population.account_id,
        population.as_of_date,
        horizons.horizon_days,
        {{ backtest_is_churned_within('population.days_to_churn') }}
            as is_churned_within
    from population
    cross join horizons
    cross join current_as_of
    where {{ backtest_is_judged('population.as_of_date') }}

),

base as (

    select
        horizon_days,
        count(distinct as_of_date) as judged_dates,
        count(*) as judged_accounts,
        sum(case when is_churned_within then 1 else 0 end)
            as churned_accounts
    from judged
    group by 1

),

-- Each account-date's score with its population row (one each).
scored_population as (

    select
        scores.learning_mode,
        scores.churn_flag_count,
        scores.churn_risk_score,
        population.as_of_date,
        population.days_to_churn
    from scores
    inner join population
        on
            scores.account_id = population.account_id
            and scores.as_of_date = population.as_of_date

),

-- The judged account-dates counted per score and horizon, before the
-- thresholds are tried on them: a few thousand rows, where joining every
-- account-date to the thresholds made 71 M at 100,000 accounts.
score_counts as (

    select
        scored_population.learning_mode,
        scored_population.churn_flag_count,
        scored_population.churn_risk_score,
        horizons.horizon_days,
        count(*) as judged_accounts,
        sum(
            case
                when {{ backtest_is_churned_within(
                    'scored_population.days_to_churn') }}
                    then 1
                else 0
            end
        ) as churned_accounts
    from scored_population
    cross join horizons
    cross join current_as_of
    where {{ backtest_is_judged('scored_population.as_of_date') }}
    group by 1, 2, 3, 4

),

flagged as (

    select
        score_counts.learning_mode,
        thresholds.min_flags,
        thresholds.min_score,
        score_counts.horizon_days,
        cast(sum(score_counts.judged_accounts) as bigint)
            as flagged_accounts,
        cast(sum(score_counts.churned_accounts) as bigint) as true_positives
    from score_counts
    inner join thresholds
        on
            score_counts.churn_flag_count >= thresholds.min_flags
            or score_counts.churn_risk_score >= thresholds.min_score
    group by 1, 2, 3, 4

),

counted as (

    select
        learning_modes.learning_mode,
        thresholds.min_flags,
        thresholds.min_score,
        base.horizon_days,
        base.judged_dates,
        base.judged_accounts,
        base.churned_accounts,
        coalesce(flagged.flagged_accounts, 0) as flagged_accounts,
        coalesce(flagged.true_positives, 0) as true_positives
    from base
    cross join learning_modes
    cross join thresholds
    left join flagged
        on
            learning_modes.learning_mode = flagged.learning_mode
            and thresholds.min_flags = flagged.min_flags
            and thresholds.min_score = flagged.min_score
            and base.horizon_days = flagged.horizon_days

),

final as (

    select
        cast(learning_mode as {{ dbt.type_string() }}) as learning_mode,
        cast(min_flags as integer) as min_flags,
        cast(min_score as decimal(18, 2)) as min_score,
        coalesce(
            min_flags = {{ var('segment_churn_risk_min_flags') }}
            and min_score = {{ var('segment_churn_risk_min_score') }},
            false
        ) as is_current_setting,
        cast(horizon_days as integer) as horizon_days,
        cast(judged_dates as integer) as judged_dates,
        cast(judged_accounts as integer) as judged_accounts,
        cast(churned_accounts as integer) as churned_accounts,
        cast(flagged_accounts as integer) as flagged_accounts,
        cast(true_positives as integer) as true_positives,
        {{ backtest_metric_columns() }},
        {{ cs_decimal(
            'case when judged_dates > 0 then cast(flagged_accounts as '
            ~ behaviour_type_float() ~ ') / judged_dates end', 18, 1) }}
            as flagged_per_week
    from counted

)

select * from final
