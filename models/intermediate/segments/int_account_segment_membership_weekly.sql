{#-
    Segment membership over the weekly history: one row per account, as-of
    date and segment the account belongs to, with the evidence (the metric
    values that put it there) as 'name=value; name=value' text.
    The rules are in int_account_segment_rules_weekly (column is_<key> per
    catalog key); this model only unpivots them. Its rows are generated from
    the catalog (var segment_catalog, macro segment_membership_rows): one
    select per entry, with the entry's key, dimension and evidence columns.
    Nothing here changes when a segment is added.

    Incremental: a scheduled run adds the new as-of date and recomputes the
    latest stored one (delete+insert by as_of_date on DuckDB,
    insert_overwrite of as_of_date partitions on Spark). No is_current here:
    it changes with every run, downstream models take it from
    int_as_of_dates. After a change to a rule or threshold, run with
    --full-refresh so that past weeks follow the new rule too.
-#}
{{ config(
    materialized='incremental',
    on_schema_change='fail',
    **segment_incremental_config()
) }}
with

segment_rules as (

    select * from {{ ref('int_account_segment_rules_weekly') }}
    {% if is_incremental() -%}
        where
            as_of_date >= (
                select max(stored_rows.as_of_date)
                from {{ this }} as stored_rows
            )
    {%- endif %}

),

unioned as (

    {{ segment_membership_rows('segment_rules') }}

),

final as (

    select
        cast(account_id as {{ dbt.type_string() }}) as account_id,
        cast(as_of_date as date) as as_of_date,
        cast(segment_key as {{ dbt.type_string() }}) as segment_key,
        cast(dimension as {{ dbt.type_string() }}) as dimension,
        cast(evidence as {{ dbt.type_string() }}) as evidence
    from unioned

)

select * from final
