{#-
    Dynamic segments, many-to-many: one row per account and segment it
    belongs to at the current as-of date, with the dimension, the date it
    entered (valid_from of its open interval in fct_account_segment_history)
    and the evidence (the metric values that put it there).
-#}
with

segment_membership as (

    select
        account_id,
        as_of_date,
        segment_key,
        dimension,
        evidence
    from {{ ref('int_account_segment_membership_weekly') }}

),

as_of_dates as (

    select as_of_date
    from {{ ref('int_as_of_dates') }}
    where is_current = true

),

open_intervals as (

    select
        account_id,
        segment_key,
        valid_from,
        weeks_in_segment
    from {{ ref('fct_account_segment_history') }}
    where is_open = true

),

current_membership as (

    select
        segment_membership.account_id,
        segment_membership.as_of_date,
        segment_membership.segment_key,
        segment_membership.dimension,
        segment_membership.evidence
    from segment_membership
    inner join as_of_dates
        on segment_membership.as_of_date = as_of_dates.as_of_date

),

final as (

    select
        cast(current_membership.account_id as {{ dbt.type_string() }})
            as account_id,
        cast(current_membership.segment_key as {{ dbt.type_string() }})
            as segment_key,
        cast(current_membership.dimension as {{ dbt.type_string() }})
            as dimension,
        cast(current_membership.as_of_date as date) as as_of_date,
        cast(open_intervals.valid_from as date) as entered_at,
        cast(open_intervals.weeks_in_segment as integer) as weeks_in_segment,
        cast(current_membership.evidence as {{ dbt.type_string() }})
            as evidence
    from current_membership
    left join open_intervals
        on
            current_membership.account_id = open_intervals.account_id
            and current_membership.segment_key = open_intervals.segment_key

)

select * from final
