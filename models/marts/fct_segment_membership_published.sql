{#-
    The as-published log: what the segments said on each run, as the CSMs
    saw it. Append-only: a run adds one publication (every row of
    fct_account_segments, with the run's as-of date and the fingerprint of
    the rules and learned indicators in force) when it differs from the
    latest publication; a repeated run on the same data adds nothing.
    full_refresh: false, so `dbt build --full-refresh` rebuilds the restated
    history (fct_account_segment_history and the other marts) and keeps
    this log; only dropping the table by hand clears it.
-#}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    full_refresh=false,
    on_schema_change='fail',
) }}
with

as_of as (

    select
        as_of_date,
        as_of_date_source
    from {{ ref('stg_raw__as_of_date') }}

),

current_segments as (

    select
        account_id,
        segment_key,
        dimension,
        entered_at,
        evidence
    from {{ ref('fct_account_segments') }}

),

indicator_lift as (

    select behaviour_key
    from {{ ref('int_churn_indicator_lift') }}
    where is_selected = true

),

learned as (

    select
        coalesce(
            max(indicator_list.learned_indicators), ''
        ) as learned_indicators
    from (
        select
            {{ segment_listagg('behaviour_key', ['behaviour_key']) }}
                as learned_indicators
        from indicator_lift
    ) as indicator_list

),

fingerprints as (

    select
        {{ history_rules_fingerprint() }} as rules_fingerprint,
        learned.learned_indicators
    from learned

),

previous_rows as (

    {% if is_incremental() -%}
        select *
        from {{ this }}
        where
            publication_number = (
                select max(stored.publication_number)
                from {{ this }} as stored
            )
    {%- else -%}
        select
            cast(null as integer) as publication_number,
            cast(null as date) as published_as_of_date,
            cast(null as {{ dbt.type_string() }}) as account_id,
            cast(null as {{ dbt.type_string() }}) as segment_key,
            cast(null as {{ dbt.type_string() }}) as dimension,
            cast(null as date) as entered_at,
            cast(null as {{ dbt.type_string() }}) as evidence,
            cast(null as {{ dbt.type_string() }}) as rules_fingerprint,
            cast(null as {{ dbt.type_string() }}) as learned_indicators
        where 1 = 0
    {%- endif %}

),

previous_publication as (

    select
        max(publication_number) as publication_number,
        max(rules_fingerprint) as rules_fingerprint,
        max(learned_indicators) as learned_indicators
    from previous_rows

),

candidate as (

    select
        as_of.as_of_date as published_as_of_date,
        as_of.as_of_date_source,
        current_segments.account_id,
        current_segments.segment_key,
        current_segments.dimension,
        current_segments.entered_at,
        current_segments.evidence,
        fingerprints.rules_fingerprint,
        fingerprints.learned_indicators
    from current_segments
    cross join as_of
    cross join fingerprints

),

new_only as (

    select
        published_as_of_date,
        account_id,
        segment_key,
        dimension,
        entered_at,
        evidence,
        rules_fingerprint,
        learned_indicators
    from candidate
    except
    select
        published_as_of_date,
        account_id,
        segment_key,
        dimension,
        entered_at,
        evidence,
        rules_fingerprint,
        learned_indicators
    from previous_rows

),

previous_only as (

    select
        published_as_of_date,
        account_id,
        segment_key,
        dimension,
        entered_at,
        evidence,
        rules_fingerprint,
        learned_indicators
    from previous_rows
    except
    select
        published_as_of_date,
        account_id,
        segment_key,
        dimension,
        entered_at,
        evidence,
        rules_fingerprint,
        learned_indicators
    from candidate

),

changes as (

    select count(*) as changed_rows
    from (
        select account_id from new_only
        union all
        select account_id from previous_only
    ) as changed

),

final as (

    select
        cast(
            coalesce(previous_publication.publication_number, 0) + 1
            as integer
        ) as publication_number,
        cast(candidate.published_as_of_date as date) as published_as_of_date,
        cast(
            '{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S") }}' as timestamp
        ) as published_at,
        cast('{{ invocation_id }}' as {{ dbt.type_string() }})
            as dbt_invocation_id,
        cast(candidate.as_of_date_source as {{ dbt.type_string() }})
            as as_of_date_source,
        cast(candidate.account_id as {{ dbt.type_string() }}) as account_id,
        cast(candidate.segment_key as {{ dbt.type_string() }}) as segment_key,
        cast(candidate.dimension as {{ dbt.type_string() }}) as dimension,
        cast(candidate.entered_at as date) as entered_at,
        cast(candidate.evidence as {{ dbt.type_string() }}) as evidence,
        cast(candidate.rules_fingerprint as {{ dbt.type_string() }})
            as rules_fingerprint,
        cast(candidate.learned_indicators as {{ dbt.type_string() }})
            as learned_indicators,
        coalesce(
            previous_publication.rules_fingerprint
            <> candidate.rules_fingerprint,
            false
        ) as is_rules_change,
        coalesce(
            previous_publication.learned_indicators
            <> candidate.learned_indicators,
            false
        ) as is_indicators_change
    from candidate
    cross join previous_publication
    cross join changes
    where changes.changed_rows > 0

)

select * from final
