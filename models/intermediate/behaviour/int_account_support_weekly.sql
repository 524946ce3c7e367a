{#-
    Support part of the behaviour panel: one row per row of the weekly spine
    (int_account_weeks). Tickets opened in the 30-day and 90-day windows
    ending on the as-of date (inclusive), high or urgent ones in 90 days,
    and tickets open on the as-of date (opened on or before it, not closed
    by then).
    Incremental on DuckDB (a table on Spark; macros/as_of_fingerprints.sql):
    a date's rows read only the tickets opened on or before it and, of
    those, whether they were closed by then, so each as-of date is stored
    with the fingerprint of its spine rows, of every ticket opened and every
    ticket closure on or before it, and of the model's code; a run
    recomputes the dates whose fingerprint is new or changed (a ticket
    closed today: today's date only).
-#}
{{ config(**as_of_fingerprint_config()) }}
{%- set incremental = as_of_fingerprint_is_incremental() %}
{%- set version = model_code_md5(behaviour_days_before('d', 1)) -%}
with

{{ as_of_fingerprint_ctes(
    [('int_account_weeks', [])],
    version, incremental,
    dated_inputs=[
        ('stg_raw__support_tickets', 'opened_at', [
            'account_id', 'ticket_id', 'priority',
        ]),
        ('stg_raw__support_tickets', 'closed_at', ['ticket_id']),
    ]) }},

account_weeks as (

    select
        account_id,
        as_of_date,
        {{ behaviour_days_before('as_of_date', 29) }} as window_30d_start,
        {{ behaviour_days_before('as_of_date', 89) }} as window_90d_start
    from {{ ref('int_account_weeks') }}
    {{ as_of_recomputed_only(incremental) }}

),

support_tickets as (

    select
        account_id,
        cast(opened_at as date) as opened_date,
        cast(closed_at as date) as closed_date,
        priority
    from {{ ref('stg_raw__support_tickets') }}

),

tickets_in_windows as (

    select
        account_weeks.account_id,
        account_weeks.as_of_date,
        sum(
            case
                when
                    account_weeks.window_30d_start
                    <= support_tickets.opened_date
                    and account_weeks.as_of_date
                    >= support_tickets.opened_date
                    then 1
                else 0
            end
        ) as tickets_30d,
        sum(
            case
                when
                    account_weeks.window_90d_start
                    <= support_tickets.opened_date
                    and account_weeks.as_of_date
                    >= support_tickets.opened_date
                    then 1
                else 0
            end
        ) as tickets_90d,
        sum(
            case
                when
                    account_weeks.window_90d_start
                    <= support_tickets.opened_date
                    and account_weeks.as_of_date
                    >= support_tickets.opened_date
                    and support_tickets.priority in ('high', 'urgent')
                    then 1
                else 0
            end
        ) as high_priority_tickets_90d,
        sum(
            case
                when
                    account_weeks.as_of_date >= support_tickets.opened_date
                    and (
                        support_tickets.closed_date is null
                        or account_weeks.as_of_date
                        < support_tickets.closed_date
                    )
                    then 1
                else 0
            end
        ) as open_tickets
    from account_weeks
    inner join support_tickets
        on
            account_weeks.account_id = support_tickets.account_id
            and account_weeks.as_of_date >= support_tickets.opened_date
            and (
                account_weeks.window_90d_start <= support_tickets.opened_date
                or support_tickets.closed_date is null
                or account_weeks.as_of_date < support_tickets.closed_date
            )
    group by 1, 2

),

final as (

    select
        account_weeks.account_id,
        account_weeks.as_of_date,
        cast(coalesce(tickets_in_windows.tickets_30d, 0) as integer)
            as tickets_30d,
        cast(coalesce(tickets_in_windows.tickets_90d, 0) as integer)
            as tickets_90d,
        cast(
            coalesce(tickets_in_windows.high_priority_tickets_90d, 0)
            as integer
        ) as high_priority_tickets_90d,
        cast(coalesce(tickets_in_windows.open_tickets, 0) as integer)
            as open_tickets,
        recompute_dates.inputs_fingerprint,
        {{ run_started_at_timestamp() }} as loaded_at
    from account_weeks
    inner join recompute_dates
        on account_weeks.as_of_date = recompute_dates.as_of_date
    left join tickets_in_windows
        on
            account_weeks.account_id = tickets_in_windows.account_id
            and account_weeks.as_of_date = tickets_in_windows.as_of_date

)

select * from final
