{#-
    Reconciliation of the incremental daily usage rollup: int_usage_daily
    must equal the staged usage rolled up per account, user, event and day.
    Compared day by day through a fingerprint of each day's rows (their
    number, their total and the sum of a hash of every row), so the check
    costs one pass over each side instead of a row-by-row difference of
    two tables of the size of the usage (which spilled tens of GB at
    100,000 accounts). Returns each day that differs, with both sides'
    figures. A failure means late or corrected usage did not reach the
    rollup: rebuild it with
    `dbt build --full-refresh --select int_usage_daily+`.
-#}
with

staged as (

    select
        account_id,
        user_id,
        event_name,
        cast(occurred_at as date) as activity_date,
        cast(sum(quantity) as bigint) as event_count
    from {{ ref('stg_raw__usage_events') }}
    group by 1, 2, 3, 4

),

rolled_up as (

    select
        account_id,
        user_id,
        event_name,
        activity_date,
        event_count
    from {{ ref('int_usage_daily') }}

),

staged_days as (

    select
        activity_date,
        count(*) as row_count,
        sum(event_count) as event_count,
        sum({{ usage_row_hash() }}) as row_hash_sum
    from staged
    group by 1

),

rolled_up_days as (

    select
        activity_date,
        count(*) as row_count,
        sum(event_count) as event_count,
        sum({{ usage_row_hash() }}) as row_hash_sum
    from rolled_up
    group by 1

),

final as (

    select
        coalesce(
            staged_days.activity_date, rolled_up_days.activity_date
        ) as activity_date,
        staged_days.row_count as staged_rows,
        rolled_up_days.row_count as rolled_up_rows,
        staged_days.event_count as staged_events,
        rolled_up_days.event_count as rolled_up_events
    from staged_days
    full outer join rolled_up_days
        on staged_days.activity_date = rolled_up_days.activity_date
    where
        staged_days.activity_date is null
        or rolled_up_days.activity_date is null
        or staged_days.row_count <> rolled_up_days.row_count
        or staged_days.event_count <> rolled_up_days.event_count
        or staged_days.row_hash_sum <> rolled_up_days.row_hash_sum

)

select * from final
