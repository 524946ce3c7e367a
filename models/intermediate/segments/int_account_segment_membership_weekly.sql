{#-
    Segment membership over the weekly history: one row per account, as-of
    date and segment the account belongs to, with the evidence (the metric
    values that put it there) as 'name=value; name=value' text.
    The rules are in int_account_segment_rules_weekly (column is_<key> per
    catalog key); this model only unpivots them. Its rows are generated from
    the catalog (var segment_catalog, macro segment_membership_rows): one
    select per entry, with the entry's key, dimension and evidence columns.
    Nothing here changes when a segment is added.

    A table rebuilt on every run (restated history): the weekly grid moves
    with the as-of date and the churn indicators are re-learned on every
    run, so every past week can change; an incremental table kept the weeks
    as first computed and differed from a full build (issue 8). What the
    segments said on each run is kept by fct_segment_membership_published.
    No is_current here: downstream models take it from int_as_of_dates.
-#}
{{ config(materialized='table') }}
with

segment_rules as (

    select * from {{ ref('int_account_segment_rules_weekly') }}

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
