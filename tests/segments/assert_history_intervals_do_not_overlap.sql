{#-
    Intervals of one account and segment never overlap and never touch
    (touching intervals should have been one). Returns the offending pairs.
-#}
with

segment_history as (

    select
        account_id,
        segment_key,
        valid_from,
        valid_to
    from {{ ref('fct_account_segment_history') }}

)

select
    earlier.account_id,
    earlier.segment_key,
    earlier.valid_from as earlier_valid_from,
    earlier.valid_to as earlier_valid_to,
    later.valid_from as later_valid_from
from segment_history as earlier
inner join segment_history as later
    on
        earlier.account_id = later.account_id
        and earlier.segment_key = later.segment_key
        and earlier.valid_from < later.valid_from
where
    earlier.valid_to is null
    or earlier.valid_to >= later.valid_from
