{#-
    Every row of the enum_synonyms seed maps to a value staging accepts for
    its domain (else the synonym would only move a row from one quarantine
    reason to another). Returns the rows that do not.
-#}
select
    domain,
    raw_value,
    canonical_value
from {{ ref('enum_synonyms') }}
where
    (
        domain = 'billing_interval'
        and canonical_value not in ('month', 'year')
    )
    or (
        domain = 'ticket_priority'
        and canonical_value not in ('low', 'normal', 'high', 'urgent')
    )
    or (
        domain = 'invoice_status'
        and canonical_value not in ('paid', 'open', 'void', 'uncollectible')
    )
    or (
        domain = 'country'
        and (
            length(canonical_value) <> 2
            or upper(canonical_value) <> canonical_value
        )
    )
    or raw_value <> lower(trim(raw_value))
