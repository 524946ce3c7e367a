{#-
    Continuous paid periods per account (gaps and islands): paid
    subscriptions (mrr_usd > 0) that overlap or touch (one ends on the day
    the next starts; end dates are exclusive) form one period. A new period
    starts after at least one day without any paid subscription, so
    paid_period_number > 1 marks a return after a churn (reactivation).
-#}
with

paid_subscriptions as (

    select
        account_id,
        start_date,
        end_date
    from {{ ref('int_subscriptions_normalised') }}
    where is_paid = true

),

with_previous_coverage as (

    select
        account_id,
        start_date,
        end_date,
        -- Latest end among the earlier subscriptions (open-ended = far
        -- future): the account is covered up to, excluding, this day.
        max(coalesce(end_date, cast('9999-12-31' as date))) over (
            partition by account_id
            order by start_date, coalesce(end_date, cast('9999-12-31' as date))
            rows between unbounded preceding and 1 preceding
        ) as covered_until
    from paid_subscriptions

),

flagged as (

    select
        *,
        case
            when covered_until is null or start_date > covered_until then 1
            else 0
        end as starts_period
    from with_previous_coverage

),

numbered as (

    select
        *,
        sum(starts_period) over (
            partition by account_id
            order by start_date, coalesce(end_date, cast('9999-12-31' as date))
            rows between unbounded preceding and current row
        ) as paid_period_number
    from flagged

),

final as (

    select
        account_id,
        cast(paid_period_number as integer) as paid_period_number,
        min(start_date) as period_start_date,
        case
            when sum(case when end_date is null then 1 else 0 end) > 0
                then null
            else max(end_date)
        end as period_end_date
    from numbered
    group by 1, 2

)

select * from final
