{#-
    Segment membership as validity intervals over the weekly history, rebuilt
    from int_account_segment_membership_weekly (no dbt snapshots: rebuildable
    from the raw data and portable to Spark). Gaps and islands: consecutive
    as-of dates (7 days apart, numbered in int_as_of_dates) in which an
    account belongs to a segment form one interval. valid_from = first as-of
    date in the segment; valid_to = the first as-of date it was absent again
    (exclusive); null = still a member at the current as-of date.
    The weekly membership table is incremental (a scheduled run adds the
    newest week); this model re-derives the intervals from it, which is one
    pass over a narrow table.
-#}
with

segment_membership as (

    select
        account_id,
        as_of_date,
        segment_key,
        dimension
    from {{ ref('int_account_segment_membership_weekly') }}

),

as_of_dates as (

    select
        as_of_date,
        is_current
    from {{ ref('int_as_of_dates') }}

),

numbered_weeks as (

    select
        as_of_date,
        is_current,
        row_number() over (order by as_of_date) as week_number
    from as_of_dates

),

membership_with_islands as (

    select
        segment_membership.account_id,
        segment_membership.segment_key,
        segment_membership.dimension,
        segment_membership.as_of_date,
        numbered_weeks.week_number,
        numbered_weeks.week_number - row_number() over (
            partition by
                segment_membership.account_id,
                segment_membership.segment_key
            order by segment_membership.as_of_date
        ) as island_number
    from segment_membership
    inner join numbered_weeks
        on segment_membership.as_of_date = numbered_weeks.as_of_date

),

islands as (

    select
        account_id,
        segment_key,
        dimension,
        island_number,
        min(as_of_date) as valid_from,
        max(as_of_date) as last_member_as_of_date,
        max(week_number) as last_week_number,
        count(*) as weeks_in_segment
    from membership_with_islands
    group by 1, 2, 3, 4

),

final as (

    select
        cast(islands.account_id as {{ dbt.type_string() }}) as account_id,
        cast(islands.segment_key as {{ dbt.type_string() }}) as segment_key,
        cast(islands.dimension as {{ dbt.type_string() }}) as dimension,
        cast(islands.valid_from as date) as valid_from,
        cast(next_weeks.as_of_date as date) as valid_to,
        cast(islands.last_member_as_of_date as date)
            as last_member_as_of_date,
        cast(islands.weeks_in_segment as integer) as weeks_in_segment,
        next_weeks.as_of_date is null as is_open
    from islands
    left join numbered_weeks as next_weeks
        on islands.last_week_number + 1 = next_weeks.week_number

)

select * from final
