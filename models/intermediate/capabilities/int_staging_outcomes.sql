{#-
    What staging did with the raw rows: one row per raw table and outcome
    (staged, or quarantined with its rejection_reason) with the row count.
    Staged + quarantined rows of a table = its raw rows (the reconciliation
    tests on the sources guarantee it). The tables: staging_raw_tables()
    (macros/staging.sql), checked against the raw contract by
    tests/assert_capability_inputs_declared.sql.
-#}
{%- set tables = staging_raw_tables() | map(attribute='name') | list -%}
with

{% for table_name in tables %}
    staged_{{ table_name }} as (

        select
            '{{ table_name }}' as table_name,
            'staged' as outcome,
            cast(null as {{ dbt.type_string() }}) as rejection_reason,
            count(*) as row_count
        from {{ ref('stg_raw__' ~ table_name) }}

    ),

    quarantined_{{ table_name }} as (

        select
            '{{ table_name }}' as table_name,
            'quarantined' as outcome,
            rejection_reason,
            count(*) as row_count
        from {{ ref('stg_raw__' ~ table_name ~ '__quarantine') }}
        group by 1, 2, 3

    ),

{% endfor %}
final as (

    {% for table_name in tables %}
        select * from staged_{{ table_name }}
        union all
        select * from quarantined_{{ table_name }}
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

)

select
    table_name,
    outcome,
    rejection_reason,
    cast(row_count as bigint) as row_count
from final
