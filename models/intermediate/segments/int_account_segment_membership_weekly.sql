{#-
    Segment membership over the weekly history: one row per account, as-of
    date and segment the account belongs to, with the evidence (the metric
    values that put it there) as 'name=value; name=value' text.
    The rules are in int_account_segment_rules_weekly (column is_<key> per
    catalog key); this model only unpivots them. Its rows are generated from
    the catalog (var segment_catalog, macro segment_membership_rows): one
    select per entry, with the entry's key, dimension and evidence columns.
    Nothing here changes when a segment is added.

    Incremental on DuckDB (a table on Spark), replaced per as-of date as
    the rules are (macros/as_of_fingerprints.sql): a date's fingerprint is
    the sum of a hash of its rules rows' inputs_fingerprint (which covers
    the rules' inputs, code and vars) with this model's code and the
    expanded catalog rows; a run recomputes the dates whose fingerprint is
    new or changed, so the table stays equal to a full build (restated
    history) and a daily run within a week rewrites the open date only.
    What the segments said on each run is kept by
    fct_segment_membership_published.
    No is_current here: downstream models take it from int_as_of_dates.
-#}
{{ config(**as_of_fingerprint_config(
    spine='int_account_segment_rules_weekly',
    on_schema_change='sync_all_columns')) }}
{%- set incremental = as_of_fingerprint_is_incremental() %}
{%- set membership_rows = segment_membership_rows('segment_rules') -%}
{#- What decides a date's rows besides the rules rows: this file and the
    catalog's rows as generated (keys, dimensions, evidence and its
    rounding). The rules' inputs_fingerprint stands for their values. -#}
{%- set version = model_code_md5(membership_rows) %}
with

{{ as_of_fingerprint_ctes(
    [('int_account_segment_rules_weekly', ['inputs_fingerprint'])],
    version, incremental) }},

segment_rules as (

    select * from {{ ref('int_account_segment_rules_weekly') }}
    {{ as_of_recomputed_only(incremental) }}

),

unioned as (

    {{ membership_rows }}

),

final as (

    select
        cast(unioned.account_id as {{ dbt.type_string() }}) as account_id,
        cast(unioned.as_of_date as date) as as_of_date,
        cast(unioned.segment_key as {{ dbt.type_string() }}) as segment_key,
        cast(unioned.dimension as {{ dbt.type_string() }}) as dimension,
        cast(unioned.evidence as {{ dbt.type_string() }}) as evidence,
        recompute_dates.inputs_fingerprint,
        {{ run_started_at_timestamp() }} as loaded_at
    from unioned
    inner join recompute_dates
        on unioned.as_of_date = recompute_dates.as_of_date

)

select * from final
