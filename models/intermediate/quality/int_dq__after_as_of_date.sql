{#-
    Data-quality check after_as_of_date: rows dated after the as-of date,
    per raw table with a date rule (every table but csms). Staging
    quarantines them as after_as_of_date (stg_raw__<table>__quarantine);
    this check counts them, so that future-dated rows or an as-of date set
    too early show at a glance. Checked: every raw row of the table (clean
    + quarantined).
-#}
{%- set tables = [] -%}
{%- for table in staging_raw_tables() if table.name != 'csms' -%}
    {%- do tables.append(table) -%}
{%- endfor -%}
with

checked as (

    {% for table in tables -%}
        select
            cast('{{ table.name }}' as {{ dbt.type_string() }}) as table_name,
            {{ table.key }} as check_key,
            false as is_flagged
        from {{ ref('stg_raw__' ~ table.name) }}
        union all
        select
            cast('{{ table.name }}' as {{ dbt.type_string() }}) as table_name,
            {{ table.key }} as check_key,
            rejection_reason = 'after_as_of_date' as is_flagged
        from {{ ref('stg_raw__' ~ table.name ~ '__quarantine') }}
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

{{ dq_summary_ctes(
    'after_as_of_date', tables | map(attribute='name') | list) }}

select * from final
