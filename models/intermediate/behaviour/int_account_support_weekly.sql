{#-
    Support part of the behaviour panel: one row per row of the weekly spine
    (int_account_weeks). Tickets opened in the 30-day and 90-day windows
    ending on the as-of date (inclusive), high or urgent ones in 90 days,
    and tickets open on the as-of date (opened on or before it, not closed
    by then).
-#}
with

account_weeks as (

    select
        account_id,
        as_of_date,
        {{ behaviour_days_before('as_of_date', 29) }} as window_30d_start,
        {{ behaviour_days_before('as_of_date', 89) }} as window_90d_start
    from {{ ref('int_account_weeks') }}

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
            as open_tickets
    from account_weeks
    left join tickets_in_windows
        on
            account_weeks.account_id = tickets_in_windows.account_id
            and account_weeks.as_of_date = tickets_in_windows.as_of_date

)

select * from final
