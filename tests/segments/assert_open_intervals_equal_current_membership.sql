{#-
    The open intervals of the history (valid_to null) are exactly the
    current membership in fct_account_segments, with the same entry date.
    Returns the rows found on one side only.
-#}
with

open_intervals as (

    select
        account_id,
        segment_key,
        valid_from
    from {{ ref('fct_account_segment_history') }}
    where is_open = true

),

current_segments as (

    select
        account_id,
        segment_key,
        entered_at
    from {{ ref('fct_account_segments') }}

)

select
    coalesce(open_intervals.account_id, current_segments.account_id)
        as account_id,
    coalesce(open_intervals.segment_key, current_segments.segment_key)
        as segment_key,
    open_intervals.valid_from,
    current_segments.entered_at
from open_intervals
full outer join current_segments
    on
        open_intervals.account_id = current_segments.account_id
        and open_intervals.segment_key = current_segments.segment_key
where
    open_intervals.account_id is null
    or current_segments.account_id is null
    or open_intervals.valid_from != current_segments.entered_at
