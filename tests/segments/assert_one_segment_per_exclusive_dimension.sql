{#-
    Every account has exactly one value (static tier), one lifecycle and one
    outcome segment at every weekly as-of date of the rules spine. Returns
    the account-weeks that break it.
-#}
with

spine as (

    select
        account_id,
        as_of_date
    from {{ ref('int_account_segment_rules_weekly') }}

),

segment_membership as (

    select
        account_id,
        as_of_date,
        dimension
    from {{ ref('int_account_segment_membership_weekly') }}

),

counted as (

    select
        spine.account_id,
        spine.as_of_date,
        sum(
            case when segment_membership.dimension = 'value' then 1 else 0 end
        ) as value_segments,
        sum(
            case
                when segment_membership.dimension = 'lifecycle' then 1 else 0
            end
        ) as lifecycle_segments,
        sum(
            case when segment_membership.dimension = 'outcome' then 1 else 0 end
        ) as outcome_segments
    from spine
    left join segment_membership
        on
            spine.account_id = segment_membership.account_id
            and spine.as_of_date = segment_membership.as_of_date
    group by 1, 2

)

select *
from counted
where
    value_segments != 1
    or lifecycle_segments != 1
    or outcome_segments != 1
