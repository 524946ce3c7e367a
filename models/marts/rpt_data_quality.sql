{#-
    The data-quality report: one row per check and checked table, with the
    rows flagged, their share, a few example keys, and the threshold and
    severity of the check's test (vars dq_<check>_max_share, dq_severity,
    dq_severity_by_check). The checks and their logic:
    models/intermediate/quality (int_dq__<check>), listed in
    macros/data_quality.sql (dq_checks). Flagged rows are counted, never
    removed.
-#}
{%- set checks = dq_checks() -%}
with

check_results as (

    {% for check in checks -%}
        select
            check_name,
            table_name,
            rows_flagged,
            rows_checked,
            example_keys,
            extra_arr_usd,
            cast('{{ dq_severity(check.name) }}' as {{ dbt.type_string() }})
                as severity,
            cast({{ dq_max_share(check.name) }} as decimal(18, 6))
                as threshold,
            cast(
                '{{ check.description | replace("'", "''") }}'
                as {{ dbt.type_string() }}
            ) as description,
            {{ loop.index }} as check_order
        from {{ ref('int_dq__' ~ check.name) }}
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

final as (

    select
        cast(check_name as {{ dbt.type_string() }}) as check_name,
        cast(table_name as {{ dbt.type_string() }}) as table_name,
        cast(rows_flagged as bigint) as rows_flagged,
        cast(rows_checked as bigint) as rows_checked,
        {{ cs_decimal(
            'case when rows_checked > 0 then cast(rows_flagged as'
            ~ ' decimal(18, 6)) / cast(rows_checked as decimal(18, 6))'
            ~ ' else 0 end', 18, 6) }} as share_flagged,
        cast(example_keys as {{ dbt.type_string() }}) as example_keys,
        cast(extra_arr_usd as decimal(18, 2)) as extra_arr_usd,
        cast(severity as {{ dbt.type_string() }}) as severity,
        cast(threshold as decimal(18, 6)) as threshold,
        cast(
            rows_flagged > cast(threshold as decimal(18, 6)) * rows_checked
            as boolean
        ) as is_above_threshold,
        cast(description as {{ dbt.type_string() }}) as description,
        cast(check_order as integer) as check_order
    from check_results

)

select * from final
