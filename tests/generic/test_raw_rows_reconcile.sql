{#-
    Reconciliation of the staging layer, declared on every raw source table
    (models/staging/raw/_raw__sources.yml): the rows of the raw table = clean
    rows (stg_raw__<table>) + quarantined rows (stg_raw__<table>__quarantine).
    Returns one row naming the table and its three counts when it is off.
-#}
{% test raw_rows_reconcile(model, table_name) %}

select
    '{{ table_name }}' as table_name,
    source_counts.row_count as source_rows,
    stg_counts.row_count as stg_rows,
    quarantine_counts.row_count as quarantine_rows
from (
    select count(*) as row_count
    from {{ model }}
) as source_counts
cross join (
    select count(*) as row_count
    from {{ ref('stg_raw__' ~ table_name) }}
) as stg_counts
cross join (
    select count(*) as row_count
    from {{ ref('stg_raw__' ~ table_name ~ '__quarantine') }}
) as quarantine_counts
where
    source_counts.row_count
    <> stg_counts.row_count + quarantine_counts.row_count

{% endtest %}
