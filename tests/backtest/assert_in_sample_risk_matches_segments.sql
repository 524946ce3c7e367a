-- In in_sample mode the backtest recomputes the risk segments from the
-- learned flags with the segment rules' vars; on every judged account and
-- date they must equal int_account_segment_rules_weekly. Returns the
-- account-dates where they differ.
with

population as (

    select
        account_id,
        as_of_date
    from {{ ref('int_churn_backtest_population') }}

),

backtest as (

    -- One row per account and date, grouped before the joins: grouping
    -- the joined rows by five columns took 2.6 to 2.9 s at 100,000
    -- accounts, this 0.8 s (two runs each, same warehouse).
    select
        account_id,
        as_of_date,
        max(
            case when signal_key = 'behaviour_churn_risk' then 1 end
        ) as bt_churn_risk,
        max(
            case when signal_key = 'high_value_at_risk' then 1 end
        ) as bt_high_value_at_risk,
        max(
            case when signal_key = 'renewal_at_risk' then 1 end
        ) as bt_renewal_at_risk
    from {{ ref('int_churn_backtest_signals') }}
    where learning_mode = 'in_sample' and signal_type = 'segment'
    group by 1, 2

),

rules as (

    select
        account_id,
        as_of_date,
        is_behaviour_churn_risk,
        is_high_value_at_risk,
        is_renewal_at_risk
    from {{ ref('int_account_segment_rules_weekly') }}

),

compared as (

    select
        population.account_id,
        population.as_of_date,
        rules.is_behaviour_churn_risk,
        rules.is_high_value_at_risk,
        rules.is_renewal_at_risk,
        backtest.bt_churn_risk,
        backtest.bt_high_value_at_risk,
        backtest.bt_renewal_at_risk
    from population
    inner join rules
        on
            population.account_id = rules.account_id
            and population.as_of_date = rules.as_of_date
    left join backtest
        on
            population.account_id = backtest.account_id
            and population.as_of_date = backtest.as_of_date

)

select *
from compared
where
    coalesce(is_behaviour_churn_risk, false) != (bt_churn_risk is not null)
    or coalesce(is_high_value_at_risk, false)
    != (bt_high_value_at_risk is not null)
    or coalesce(is_renewal_at_risk, false) != (bt_renewal_at_risk is not null)
