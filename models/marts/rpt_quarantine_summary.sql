{#-
    What staging did with every raw row, per table: staged, or quarantined
    with its rejection reason; row counts and their share of the table's raw
    rows. The main command prints it; the rows themselves are in the
    quarantine models (staging.stg_raw__<table>__quarantine).
-#}
with

outcomes as (

    select * from {{ ref('int_staging_outcomes') }}

),

final as (

    select
        table_name,
        outcome,
        rejection_reason,
        row_count,
        {{ cs_decimal(
            'cast(row_count as ' ~ dbt.type_numeric() ~ ')'
            ~ ' / nullif(sum(row_count) over (partition by table_name), 0)',
            9, 4) }} as share_of_table
    from outcomes

)

select * from final
