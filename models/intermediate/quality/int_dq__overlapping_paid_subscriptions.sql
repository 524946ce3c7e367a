{#-
    Data-quality check overlapping_paid_subscriptions: paid subscriptions
    (int_subscriptions_normalised.is_paid) whose period [start_date,
    end_date) overlaps the period of another paid subscription of the same
    account (end_date exclusive, null = open-ended). MRR and ARR sum
    overlapping subscriptions (documented in int_account_mrr_monthly); this
    check makes it visible. extra_arr_usd: on the as-of date, for each
    account with more than one active paid subscription, the ARR of its
    active paid subscriptions beyond the largest one (what the sum adds to
    dim_accounts.arr_usd compared with one subscription per account).
-#}
with

paid_subscriptions as (

    select
        subscription_id,
        account_id,
        arr_usd,
        start_date,
        end_date
    from {{ ref('int_subscriptions_normalised') }}
    where is_paid = true

),

current_as_of_date as (

    select as_of_date from {{ ref('int_as_of_dates') }}
    where is_current = true

),

overlapping as (

    select distinct this_sub.subscription_id
    from paid_subscriptions as this_sub
    inner join paid_subscriptions as other_sub
        on
            this_sub.account_id = other_sub.account_id
            and this_sub.subscription_id <> other_sub.subscription_id
            and this_sub.start_date
            < coalesce(other_sub.end_date, cast('9999-12-31' as date))
            and other_sub.start_date
            < coalesce(this_sub.end_date, cast('9999-12-31' as date))

),

checked as (

    select
        cast('subscriptions' as {{ dbt.type_string() }}) as table_name,
        paid_subscriptions.subscription_id as check_key,
        overlapping.subscription_id is not null as is_flagged
    from paid_subscriptions
    left join overlapping
        on paid_subscriptions.subscription_id = overlapping.subscription_id

),

active_arr_per_account as (

    select
        subscriptions.account_id,
        count(*) as active_subscriptions,
        sum(subscriptions.arr_usd) as active_arr_usd,
        max(subscriptions.arr_usd) as largest_arr_usd
    from paid_subscriptions as subscriptions
    cross join current_as_of_date
    where {{ subscription_is_active_on(
        'subscriptions', 'current_as_of_date.as_of_date') }}
    group by 1

),

extra_arr as (

    select coalesce(sum(active_arr_usd - largest_arr_usd), 0) as extra_arr_usd
    from active_arr_per_account
    where active_subscriptions > 1

),

{{ dq_summary_ctes(
    'overlapping_paid_subscriptions', ['subscriptions'],
    with_extra_arr=true) }}

select * from final
