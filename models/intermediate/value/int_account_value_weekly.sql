{#-
    Value panel: one row per account and as-of date (from the account's
    creation on). Revenue is what the subscriptions active ON the as-of date
    pay (end_date exclusive); the value tier is decided among the accounts of
    the same as-of date, by ARR bands or ARR percentiles (var
    value_tier_method), then optionally bumped one tier up for large
    companies (var value_tier_employee_bump_min). Zero-ARR accounts are
    long_tail and left out of the percentile computation.
    Incremental on DuckDB (a table on Spark; macros/as_of_fingerprints.sql):
    a date's rows read only the subscriptions started on or before it (and
    their end date once it is reached) and the accounts created on or before
    it, so each as-of date is stored with the fingerprint of its spine rows,
    of every subscription started, subscription end date reached and account
    created on or before it, and of the model's code and the vars it reads;
    a run recomputes the dates whose fingerprint is new or changed (a daily
    run: the open date, and the dates on or after a subscription or account
    that changed; a cancellation: the dates from its end date on) instead of
    every date.
-#}
{{ config(**as_of_fingerprint_config()) }}
{%- set incremental = as_of_fingerprint_is_incremental() %}
{%- set bump_min = var('value_tier_employee_bump_min') -%}
{#- The accounts' columns read: employee_count only with the bump on (a
    refresh of employee counts then recomputes nothing). -#}
{%- set account_columns = ['account_id'] + (
    ['employee_count'] if bump_min is not none else []) -%}
{#- What decides a row besides its inputs: this file, the expanded macros
    it calls and the vars it reads (vars_text, macros/history.sql). -#}
{%- set version = model_code_md5(
    vars_text([
        'value_tier_method', 'value_tier_arr_bands', 'value_tier_percentiles',
        'value_tier_employee_bump_min',
    ])
    ~ subscription_is_active_on('s', 'd')
    ~ value_tier_from_arr('a', 'p', 'z')
    ~ value_tier_rank('v')) -%}
with

{{ as_of_fingerprint_ctes(
    [('int_account_weeks', ['is_current'])],
    version, incremental,
    dated_inputs=[
        ('stg_raw__accounts', 'created_at', account_columns),
        ('int_subscriptions_normalised', 'start_date', [
            'account_id', 'subscription_id', 'seats', 'mrr_usd', 'arr_usd',
        ]),
        ('int_subscriptions_normalised', 'end_date', ['subscription_id']),
    ]) }},

accounts as (

    select
        account_id,
        employee_count
    from {{ ref('stg_raw__accounts') }}

),

account_weeks as (

    select
        account_id,
        as_of_date,
        is_current
    from {{ ref('int_account_weeks') }}
    {{ as_of_recomputed_only(incremental) }}

),

subscriptions as (

    select * from {{ ref('int_subscriptions_normalised') }}

),

account_dates as (

    select
        account_weeks.account_id,
        accounts.employee_count,
        account_weeks.as_of_date,
        account_weeks.is_current
    from account_weeks
    inner join accounts
        on account_weeks.account_id = accounts.account_id

),

active_revenue as (

    select
        account_dates.account_id,
        account_dates.as_of_date,
        count(subscriptions.subscription_id) as active_subscriptions,
        coalesce(sum(subscriptions.seats), 0) as licensed_seats,
        coalesce(sum(subscriptions.mrr_usd), 0) as mrr_usd,
        coalesce(sum(subscriptions.arr_usd), 0) as arr_usd
    from account_dates
    left join subscriptions
        on
            account_dates.account_id = subscriptions.account_id
            and {{ subscription_is_active_on(
                'subscriptions', 'account_dates.as_of_date') }}
    group by 1, 2

),

revenue_per_account_date as (

    select
        account_dates.account_id,
        account_dates.as_of_date,
        account_dates.is_current,
        account_dates.employee_count,
        cast(active_revenue.active_subscriptions as integer)
            as active_subscriptions,
        cast(active_revenue.licensed_seats as integer) as licensed_seats,
        cast(active_revenue.mrr_usd as {{ dbt.type_numeric() }}) as mrr_usd,
        cast(active_revenue.arr_usd as {{ dbt.type_numeric() }}) as arr_usd,
        active_revenue.arr_usd <= 0 as is_zero_arr
    from account_dates
    inner join active_revenue
        on
            account_dates.account_id = active_revenue.account_id
            and account_dates.as_of_date = active_revenue.as_of_date

),

ranked as (

    select
        *,
        -- Share of the other non-zero-ARR accounts of the same date with a
        -- lower ARR: 0 = lowest, 1 = highest; ties share the lower value.
        case
            when is_zero_arr = false
                then percent_rank() over (
                    partition by as_of_date, is_zero_arr
                    order by arr_usd
                )
        end as arr_percentile
    from revenue_per_account_date

),

tiered_by_arr as (

    select
        *,
        {{ value_tier_from_arr(
            'arr_usd', 'arr_percentile', 'is_zero_arr') }} as arr_tier
    from ranked

),

bumped as (

    select
        *,
        {% if bump_min is not none -%}
            coalesce(
                is_zero_arr = false
                and arr_tier != 'strategic'
                and employee_count >= {{ bump_min }},
                false
            )
        {%- else -%}
            false
        {%- endif %} as is_employee_bumped
    from tiered_by_arr

),

tiered as (

    select
        account_id,
        as_of_date,
        is_current,
        active_subscriptions,
        licensed_seats,
        mrr_usd,
        arr_usd,
        is_zero_arr,
        arr_percentile,
        arr_tier,
        is_employee_bumped,
        case
            when is_employee_bumped = false then arr_tier
            when arr_tier = 'enterprise' then 'strategic'
            when arr_tier = 'growth' then 'enterprise'
            when arr_tier = 'long_tail' then 'growth'
            else arr_tier
        end as value_tier
    from bumped

),

final as (

    select
        tiered.*,
        {{ value_tier_rank('tiered.value_tier') }} as value_tier_rank,
        recompute_dates.inputs_fingerprint,
        {{ run_started_at_timestamp() }} as loaded_at
    from tiered
    inner join recompute_dates
        on tiered.as_of_date = recompute_dates.as_of_date

)

select * from final
