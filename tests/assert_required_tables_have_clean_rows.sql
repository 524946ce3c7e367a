{#-
    accounts and subscriptions, the two required tables of the raw contract,
    have at least one clean row. Without them there is nothing to segment
    (e.g. every row dated after the as-of date, or all quarantined): the
    build fails instead of publishing an empty set. Returns the empty ones
    with the reason (see rpt_quarantine_summary for where the rows went).
-#}
select
    input_key,
    unavailable_reason
from {{ ref('int_input_availability') }}
where
    input_key in ('accounts', 'subscriptions')
    and not is_available
