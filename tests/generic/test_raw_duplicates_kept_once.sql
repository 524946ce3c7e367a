{#-
    Declared on every raw source table: each quarantined duplicate_key row
    has its key (the table's meta.primary_key) in the clean staging model,
    i.e. one copy was kept. Returns the duplicate_key rows whose key is
    missing from stg_raw__<table>.
-#}
{% test raw_duplicates_kept_once(model, table_name) %}
{%- set key = raw_table_meta(table_name).get('primary_key', 'id') -%}

select
    '{{ table_name }}' as table_name,
    quarantine.{{ key }} as key_value
from {{ ref('stg_raw__' ~ table_name ~ '__quarantine') }} as quarantine
left join {{ ref('stg_raw__' ~ table_name) }} as clean
    on quarantine.{{ key }} = clean.{{ key }}
where
    quarantine.rejection_reason = 'duplicate_key'
    and clean.{{ key }} is null

{% endtest %}
