{#-
    Billing part of the behaviour panel: one row per row of the weekly spine
    (int_account_weeks). Invoices overdue on the as-of date (issued on or
    before it, due before it, unpaid then: still open, or paid only after
    the as-of date), seats and MRR on the as-of date, and contraction: MRR
    now below MRR `behaviour_contraction_lookback_days` days earlier (an
    as-of date of the panel) while still paying.
    Incremental on DuckDB (a table on Spark; macros/as_of_fingerprints.sql):
    a date's rows read only the invoices issued on or before it (and their
    payment once made) and the value panel's rows of that date and of the
    contraction baseline date before it, so each as-of date is stored with
    the fingerprint of its spine rows, of every invoice issued, invoice paid
    and value row dated on or before it, and of the model's code and the
    vars it reads; a run recomputes the dates whose fingerprint is new or
    changed.
-#}
{{ config(**as_of_fingerprint_config()) }}
{%- set incremental = as_of_fingerprint_is_incremental() %}
{#- What decides a row besides its inputs: this file, the expanded macro
    it calls and the contraction lookback var. -#}
{%- set version = model_code_md5(
    vars_text(['behaviour_contraction_lookback_days'])
    ~ behaviour_days_before('d', 1)) -%}
{#- An invoice paid on day P reads as open before P (overdue the same way),
    so its status is fingerprinted from its issue as open, and its payment
    day and status from P (an open invoice with a payment day is overdue
    after it, a paid one is not): a payment today changes today's date
    only (the staging blanks a payment after the as-of date, so every
    payment arrives so). -#}
{%- set paid_reads_open -%}
    case
        when status = 'paid' and paid_at is not null then 'open'
        else status
    end
{%- endset -%}
with

{{ as_of_fingerprint_ctes(
    [('int_account_weeks', [])],
    version, incremental,
    dated_inputs=[
        ('stg_raw__invoices', 'issued_at', [
            'account_id', 'invoice_id', 'due_at', paid_reads_open,
        ]),
        ('stg_raw__invoices', 'paid_at', ['invoice_id', 'status']),
        ('int_account_value_weekly', 'as_of_date', [
            'account_id', 'licensed_seats', 'mrr_usd',
        ]),
    ]) }},

account_weeks as (

    select
        account_id,
        as_of_date,
        {{ behaviour_days_before(
            'as_of_date',
            var('behaviour_contraction_lookback_days')) }}
            as contraction_compare_date
    from {{ ref('int_account_weeks') }}
    {{ as_of_recomputed_only(incremental) }}

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
        ) as recent_contraction,
        recompute_dates.inputs_fingerprint,
        {{ run_started_at_timestamp() }} as loaded_at
    from account_weeks
    inner join recompute_dates
        on account_weeks.as_of_date = recompute_dates.as_of_date
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
