{#-
    Billing part of the behaviour panel: one row per row of the weekly spine
    (int_account_weeks). Invoices overdue on the as-of date (issued on or
    before it, due before it, unpaid then: still open, or paid only after
    the as-of date), seats and MRR on the as-of date, and contraction: MRR
    now below MRR `behaviour_contraction_lookback_days` days earlier (an
    as-of date of the panel) while still paying.
-#}
with

account_weeks as (

    select
        account_id,
        as_of_date,
        {{ behaviour_days_before(
            'as_of_date',
            var('behaviour_contraction_lookback_days')) }}
            as contraction_compare_date
    from {{ ref('int_account_weeks') }}

),

invoices as (

    select
        account_id,
        issued_at,
        due_at,
        status,
        cast(paid_at as date) as paid_date
    from {{ ref('stg_raw__invoices') }}

),

account_value as (

    select
        account_id,
        as_of_date,
        licensed_seats,
        mrr_usd
    from {{ ref('int_account_value_weekly') }}

),

overdue as (

    select
        account_weeks.account_id,
        account_weeks.as_of_date,
        count(*) as overdue_invoices
    from account_weeks
    inner join invoices
        on
            account_weeks.account_id = invoices.account_id
            and account_weeks.as_of_date >= invoices.issued_at
            and account_weeks.as_of_date > invoices.due_at
            and (
                invoices.status = 'open'
                or (
                    invoices.status = 'paid'
                    and account_weeks.as_of_date < invoices.paid_date
                )
            )
    group by 1, 2

),

final as (

    select
        account_weeks.account_id,
        account_weeks.as_of_date,
        cast(coalesce(overdue.overdue_invoices, 0) as integer)
            as overdue_invoices,
        value_now.licensed_seats,
        value_now.mrr_usd,
        value_before.mrr_usd as mrr_usd_contraction_baseline,
        coalesce(
            value_now.mrr_usd > 0
            and value_now.mrr_usd < value_before.mrr_usd,
            false
        ) as recent_contraction
    from account_weeks
    left join overdue
        on
            account_weeks.account_id = overdue.account_id
            and account_weeks.as_of_date = overdue.as_of_date
    left join account_value as value_now
        on
            account_weeks.account_id = value_now.account_id
            and account_weeks.as_of_date = value_now.as_of_date
    left join account_value as value_before
        on
            account_weeks.account_id = value_before.account_id
            and account_weeks.contraction_compare_date
            = value_before.as_of_date

)

select * from final
