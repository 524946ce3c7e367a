{#-
    Every quarantined duplicate_key row has its key in the clean staging
    model: the copy that was kept. Returns, per table, the duplicate_key rows
    whose key is missing from stg_raw__<table>.
-#}
{{ staging_lost_duplicates_query() }}
