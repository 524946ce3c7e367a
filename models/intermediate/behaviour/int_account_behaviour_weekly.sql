{#-
    Behaviour panel: one row per account and as-of date (accounts created on
    or before the date). Usage, support, NPS, billing and contraction
    measures over windows that end on the as-of date inclusive:
    30d = days as_of-29..as_of, prior 30d = as_of-59..as_of-30,
    90d = as_of-89..as_of. Windows are joined to daily per-account rollups
    (int_usage_daily), never to single events; "latest X on or before the
    as-of date" lookups join each as-of date to exactly one interval
    [X, next X) instead of to all earlier rows.
    Usage windows avoid range joins: every daily row is expanded to the (at
    most 13) weekly as-of dates whose 90-day window contains it (as-of dates
    are the current one and every 7th day before it: day d falls in the
    windows of d + r + 7k, r = (days from d to the current as-of date) mod 7,
    r + 7k <= 89), then equi-joined to the panel on (account_id, as_of_date).
    The last activity date is a running max over activity days keyed by the
    first as-of date on or after them.
-#}
with

as_of_dates as (

    select
        as_of_date,
        is_current
    from {{ ref('int_as_of_dates') }}

),

accounts as (

    select
        account_id,
        created_at
    from {{ ref('stg_raw__accounts') }}

),

usage_daily as (

    select
        account_id,
        user_id,
        activity_date,
        event_count
    from {{ ref('int_usage_daily') }}

),

feature_usage as (

    select
        account_id,
        as_of_date,
        events_30d,
        events_90d
    from {{ ref('int_account_feature_usage_weekly') }}

),

support_tickets as (

    select
        account_id,
        cast(opened_at as date) as opened_date,
        cast(closed_at as date) as closed_date,
        priority
    from {{ ref('stg_raw__support_tickets') }}

),

nps_responses as (

    select
        account_id,
        response_id,
        cast(responded_at as date) as responded_date,
        responded_at,
        score
    from {{ ref('stg_raw__nps_responses') }}

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

account_panel as (

    select
        accounts.account_id,
        as_of_dates.as_of_date,
        as_of_dates.is_current,
        {{ behaviour_days_before('as_of_dates.as_of_date', 29) }}
            as window_30d_start,
        {{ behaviour_days_before('as_of_dates.as_of_date', 59) }}
            as window_prior_30d_start,
        {{ behaviour_days_before('as_of_dates.as_of_date', 89) }}
            as window_90d_start,
        {{ behaviour_days_before('as_of_dates.as_of_date', 179) }}
            as window_180d_start,
        {{ behaviour_days_before(
            'as_of_dates.as_of_date',
            var('behaviour_contraction_lookback_days')) }}
            as contraction_compare_date
    from accounts
    inner join as_of_dates
        on cast(accounts.created_at as date) <= as_of_dates.as_of_date

),

-- usage

current_as_of as (

    select max(as_of_date) as current_as_of_date
    from as_of_dates
    where is_current = true

),

week_offsets as (

    {{ behaviour_week_offsets() }}

),

account_days as (

    select
        usage_daily.account_id,
        usage_daily.activity_date,
        {{ behaviour_days_to_next_as_of('usage_daily.activity_date') }}
            as days_to_next_as_of,
        sum(usage_daily.event_count) as event_count
    from usage_daily
    cross join current_as_of
    where usage_daily.activity_date <= current_as_of.current_as_of_date
    group by 1, 2, 3

),

account_user_days as (

    select distinct
        usage_daily.account_id,
        usage_daily.user_id,
        usage_daily.activity_date,
        {{ behaviour_days_to_next_as_of('usage_daily.activity_date') }}
            as days_to_next_as_of
    from usage_daily
    cross join current_as_of
    where
        usage_daily.user_id is not null
        and usage_daily.activity_date <= current_as_of.current_as_of_date

),

account_days_by_as_of as (

    -- One row per account-day and as-of date whose 90-day window contains
    -- it: as-of dates are the current one and every 7th day before it.
    select
        account_days.account_id,
        account_days.event_count,
        {{ behaviour_days_before_as_of('account_days') }} as days_before_as_of,
        {{ behaviour_expanded_as_of_date('account_days') }} as as_of_date
    from account_days
    cross join week_offsets
    where {{ behaviour_days_before_as_of('account_days') }} <= 89

),

account_user_days_by_as_of as (

    -- One row per user-day and as-of date whose 90-day window contains it.
    select
        account_user_days.account_id,
        account_user_days.user_id,
        {{ behaviour_days_before_as_of('account_user_days') }}
            as days_before_as_of,
        {{ behaviour_expanded_as_of_date('account_user_days') }} as as_of_date
    from account_user_days
    cross join week_offsets
    where {{ behaviour_days_before_as_of('account_user_days') }} <= 89

),

events_in_windows as (

    select
        account_panel.account_id,
        account_panel.as_of_date,
        sum(
            case
                when account_days_by_as_of.days_before_as_of <= 29
                    then account_days_by_as_of.event_count
                else 0
            end
        ) as events_30d,
        sum(
            case
                when
                    account_days_by_as_of.days_before_as_of >= 30
                    and account_days_by_as_of.days_before_as_of <= 59
                    then account_days_by_as_of.event_count
                else 0
            end
        ) as events_prior_30d,
        sum(account_days_by_as_of.event_count) as events_90d
    from account_panel
    inner join account_days_by_as_of
        on
            account_panel.account_id = account_days_by_as_of.account_id
            and account_panel.as_of_date = account_days_by_as_of.as_of_date
    group by 1, 2

),

active_users_in_windows as (

    select
        account_panel.account_id,
        account_panel.as_of_date,
        count(
            distinct case
                when account_user_days_by_as_of.days_before_as_of <= 29
                    then account_user_days_by_as_of.user_id
            end
        ) as active_users_30d,
        count(distinct account_user_days_by_as_of.user_id)
            as active_users_90d
    from account_panel
    inner join account_user_days_by_as_of
        on
            account_panel.account_id = account_user_days_by_as_of.account_id
            and account_panel.as_of_date
            = account_user_days_by_as_of.as_of_date
    group by 1, 2

),

latest_activity_by_next_as_of as (

    -- Latest activity day per account and first as-of date on or after it
    -- (that date need not be a real as-of date: see last_activity).
    select
        account_id,
        cast({{ dbt.dateadd(
            'day', 'days_to_next_as_of', 'activity_date') }} as date)
            as as_of_date,
        max(activity_date) as last_activity_date
    from account_days
    group by 1, 2

),

activity_and_panel as (

    select
        account_id,
        as_of_date,
        last_activity_date,
        0 as is_panel_row
    from latest_activity_by_next_as_of

    union all

    select
        account_id,
        as_of_date,
        cast(null as date) as last_activity_date,
        1 as is_panel_row
    from account_panel

),

running_last_activity as (

    -- Latest activity on or before each date: running max over the account's
    -- rows, activity rows before the panel row of the same date.
    select
        account_id,
        as_of_date,
        is_panel_row,
        max(last_activity_date) over (
            partition by account_id
            order by as_of_date, is_panel_row
            rows between unbounded preceding and current row
        ) as last_activity_date
    from activity_and_panel

),

last_activity as (

    select
        account_id,
        as_of_date,
        last_activity_date
    from running_last_activity
    where is_panel_row = 1 and last_activity_date is not null

),

key_features_adopted as (

    select
        account_id,
        as_of_date,
        sum(case when events_30d > 0 then 1 else 0 end)
            as key_features_adopted_30d,
        sum(case when events_90d > 0 then 1 else 0 end)
            as key_features_adopted_90d
    from feature_usage
    group by 1, 2

),

-- support

tickets_in_windows as (

    select
        account_panel.account_id,
        account_panel.as_of_date,
        sum(
            case
                when
                    account_panel.window_30d_start
                    <= support_tickets.opened_date
                    and account_panel.as_of_date
                    >= support_tickets.opened_date
                    then 1
                else 0
            end
        ) as tickets_30d,
        sum(
            case
                when
                    account_panel.window_90d_start
                    <= support_tickets.opened_date
                    and account_panel.as_of_date
                    >= support_tickets.opened_date
                    then 1
                else 0
            end
        ) as tickets_90d,
        sum(
            case
                when
                    account_panel.window_90d_start
                    <= support_tickets.opened_date
                    and account_panel.as_of_date
                    >= support_tickets.opened_date
                    and support_tickets.priority in ('high', 'urgent')
                    then 1
                else 0
            end
        ) as high_priority_tickets_90d,
        sum(
            case
                when
                    account_panel.as_of_date >= support_tickets.opened_date
                    and (
                        support_tickets.closed_date is null
                        or account_panel.as_of_date
                        < support_tickets.closed_date
                    )
                    then 1
                else 0
            end
        ) as open_tickets
    from account_panel
    inner join support_tickets
        on
            account_panel.account_id = support_tickets.account_id
            and account_panel.as_of_date >= support_tickets.opened_date
            and (
                account_panel.window_90d_start <= support_tickets.opened_date
                or support_tickets.closed_date is null
                or account_panel.as_of_date < support_tickets.closed_date
            )
    group by 1, 2

),

-- nps

nps_intervals as (

    select
        account_id,
        responded_date,
        score,
        lead(responded_date) over (
            partition by account_id
            order by responded_at, response_id
        ) as next_responded_date
    from nps_responses

),

latest_nps as (

    -- Several responses on one day: the last one of the day wins (only its
    -- interval is non-empty).
    select
        account_panel.account_id,
        account_panel.as_of_date,
        nps_intervals.score as latest_nps_score
    from account_panel
    inner join nps_intervals
        on
            account_panel.account_id = nps_intervals.account_id
            and account_panel.as_of_date >= nps_intervals.responded_date
            and account_panel.window_180d_start
            <= nps_intervals.responded_date
            and (
                nps_intervals.next_responded_date is null
                or account_panel.as_of_date
                < nps_intervals.next_responded_date
            )

),

nps_in_window as (

    select
        account_panel.account_id,
        account_panel.as_of_date,
        avg(cast(nps_responses.score as {{ behaviour_type_float() }}))
            as nps_90d_avg,
        count(*) as nps_responses_90d
    from account_panel
    inner join nps_responses
        on
            account_panel.account_id = nps_responses.account_id
            and account_panel.window_90d_start
            <= nps_responses.responded_date
            and account_panel.as_of_date >= nps_responses.responded_date
    group by 1, 2

),

-- billing

overdue as (

    -- Overdue on the as-of date: issued on or before it, due before it, and
    -- unpaid then (still open, or paid only after the as-of date).
    select
        account_panel.account_id,
        account_panel.as_of_date,
        count(*) as overdue_invoices
    from account_panel
    inner join invoices
        on
            account_panel.account_id = invoices.account_id
            and account_panel.as_of_date >= invoices.issued_at
            and account_panel.as_of_date > invoices.due_at
            and (
                invoices.status = 'open'
                or (
                    invoices.status = 'paid'
                    and account_panel.as_of_date < invoices.paid_date
                )
            )
    group by 1, 2

),

value_compared as (

    select
        account_panel.account_id,
        account_panel.as_of_date,
        value_now.licensed_seats,
        value_now.mrr_usd,
        value_before.mrr_usd as mrr_usd_before
    from account_panel
    left join account_value as value_now
        on
            account_panel.account_id = value_now.account_id
            and account_panel.as_of_date = value_now.as_of_date
    left join account_value as value_before
        on
            account_panel.account_id = value_before.account_id
            and account_panel.contraction_compare_date
            = value_before.as_of_date

),

joined as (

    select
        account_panel.account_id,
        account_panel.as_of_date,
        account_panel.is_current,
        coalesce(active_users_in_windows.active_users_30d, 0)
            as active_users_30d,
        coalesce(active_users_in_windows.active_users_90d, 0)
            as active_users_90d,
        value_compared.licensed_seats,
        coalesce(key_features_adopted.key_features_adopted_30d, 0)
            as key_features_adopted_30d,
        coalesce(key_features_adopted.key_features_adopted_90d, 0)
            as key_features_adopted_90d,
        coalesce(events_in_windows.events_30d, 0) as events_30d,
        coalesce(events_in_windows.events_prior_30d, 0) as events_prior_30d,
        coalesce(events_in_windows.events_90d, 0) as events_90d,
        last_activity.last_activity_date,
        coalesce(tickets_in_windows.tickets_30d, 0) as tickets_30d,
        coalesce(tickets_in_windows.tickets_90d, 0) as tickets_90d,
        coalesce(tickets_in_windows.high_priority_tickets_90d, 0)
            as high_priority_tickets_90d,
        coalesce(tickets_in_windows.open_tickets, 0) as open_tickets,
        latest_nps.latest_nps_score,
        nps_in_window.nps_90d_avg,
        coalesce(nps_in_window.nps_responses_90d, 0) as nps_responses_90d,
        coalesce(overdue.overdue_invoices, 0) as overdue_invoices,
        value_compared.mrr_usd,
        value_compared.mrr_usd_before
    from account_panel
    left join active_users_in_windows
        on
            account_panel.account_id = active_users_in_windows.account_id
            and account_panel.as_of_date = active_users_in_windows.as_of_date
    left join key_features_adopted
        on
            account_panel.account_id = key_features_adopted.account_id
            and account_panel.as_of_date = key_features_adopted.as_of_date
    left join events_in_windows
        on
            account_panel.account_id = events_in_windows.account_id
            and account_panel.as_of_date = events_in_windows.as_of_date
    left join last_activity
        on
            account_panel.account_id = last_activity.account_id
            and account_panel.as_of_date = last_activity.as_of_date
    left join tickets_in_windows
        on
            account_panel.account_id = tickets_in_windows.account_id
            and account_panel.as_of_date = tickets_in_windows.as_of_date
    left join latest_nps
        on
            account_panel.account_id = latest_nps.account_id
            and account_panel.as_of_date = latest_nps.as_of_date
    left join nps_in_window
        on
            account_panel.account_id = nps_in_window.account_id
            and account_panel.as_of_date = nps_in_window.as_of_date
    left join overdue
        on
            account_panel.account_id = overdue.account_id
            and account_panel.as_of_date = overdue.as_of_date
    left join value_compared
        on
            account_panel.account_id = value_compared.account_id
            and account_panel.as_of_date = value_compared.as_of_date

),

final as (

    select
        account_id,
        as_of_date,
        is_current,
        cast(active_users_30d as bigint) as active_users_30d,
        cast(active_users_90d as bigint) as active_users_90d,
        licensed_seats,
        case
            when licensed_seats > 0
                then
                    cast(active_users_30d as {{ behaviour_type_float() }})
                    / licensed_seats
        end as seat_utilisation_30d,
        cast(key_features_adopted_30d as integer) as key_features_adopted_30d,
        cast(key_features_adopted_90d as integer) as key_features_adopted_90d,
        cast(events_30d as bigint) as events_30d,
        cast(events_prior_30d as bigint) as events_prior_30d,
        cast(events_90d as bigint) as events_90d,
        case
            when events_prior_30d > 0
                then
                    cast(events_30d as {{ behaviour_type_float() }})
                    / events_prior_30d
        end as usage_trend_ratio,
        last_activity_date,
        {{ dbt.datediff('last_activity_date', 'as_of_date', 'day') }}
            as days_since_last_activity,
        cast(tickets_30d as integer) as tickets_30d,
        cast(tickets_90d as integer) as tickets_90d,
        cast(high_priority_tickets_90d as integer)
            as high_priority_tickets_90d,
        cast(open_tickets as integer) as open_tickets,
        latest_nps_score,
        nps_90d_avg,
        cast(nps_responses_90d as integer) as nps_responses_90d,
        cast(overdue_invoices as integer) as overdue_invoices,
        mrr_usd,
        mrr_usd_before as mrr_usd_contraction_baseline,
        coalesce(
            mrr_usd > 0 and mrr_usd < mrr_usd_before, false
        ) as recent_contraction
    from joined

)

select * from final
