{#-
    Reconciliation of the staging layer: for every raw table, the rows of
    the source file = clean rows (stg_raw__<table>) + quarantined rows
    (stg_raw__<table>__quarantine). Returns one row per table that is off,
    naming it and its three counts.
-#}
{{ staging_reconciliation_query() }}
