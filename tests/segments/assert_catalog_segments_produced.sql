{#-
    Every catalog segment has members at some weekly as-of date of the
    history, unless it is listed in var segments_documented_empty. A segment
    that is never produced means a broken rule or a catalog entry without a
    rule. Returns the catalog keys never produced and not documented.
-#}
with

segments as (

    select segment_key
    from {{ ref('dim_segments') }}
    where is_documented_empty = false

),

produced as (

    select distinct segment_key
    from {{ ref('fct_account_segment_history') }}

)

select segments.segment_key
from segments
left join produced
    on segments.segment_key = produced.segment_key
where produced.segment_key is null
