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

final as (

    select
        cast(account_id as {{ dbt.type_string() }}) as account_id,
        cast(segment_key as {{ dbt.type_string() }}) as segment_key,
        cast(dimension as {{ dbt.type_string() }}) as dimension,
        cast(valid_from as date) as valid_from,
        cast(valid_to as date) as valid_to,
        cast(last_member_as_of_date as date) as last_member_as_of_date,
        cast(weeks_in_segment as integer) as weeks_in_segment,
        is_open
    from intervals

)

select * from final
