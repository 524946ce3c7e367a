{#-
    Segment membership as validity intervals over the weekly history: the
    gaps and islands of int_account_segment_membership_weekly, computed in
    int_account_segment_intervals (incremental: a scheduled run restates
    the intervals from a week back), published here without its
    bookkeeping columns. No dbt snapshots: rebuildable from the raw data
    and portable to Spark. valid_from = first as-of date in the segment;
    valid_to = the first as-of date it was absent again (exclusive); null =
    still a member at the current as-of date.
-#}
with

intervals as (

    select
        account_id,
        segment_key,
        dimension,
        valid_from,
        valid_to,
        last_member_as_of_date,
        weeks_in_segment,
        is_open
    from {{ ref('int_account_segment_intervals') }}

),

-- The intermediate model casts every column to its contracted type.
final as (

    select * from intervals

)

select * from final
