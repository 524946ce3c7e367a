{#-
    Data-quality checks (models/intermediate/quality, models/marts/
    rpt_data_quality.sql). A check counts suspicious-but-usable rows: they
    stay in the models (or, for the two checks that read the quarantine,
    are already there with their reason); nothing is dropped or changed
    here. Each check is one model `int_dq__<name>` returning one row per
    checked table, and one data test on rpt_data_quality whose threshold and
    severity are vars (dbt_project.yml, "data quality").
-#}


{#- The list of checks: the one place rpt_data_quality, its tests and the
    docs read. `name` is check_name and the model is int_dq__<name>; the
    threshold var is dq_<name>_max_share. -#}
{% macro dq_checks() -%}
    {{ return([
        {'name': 'usage_before_account_start',
         'description': 'Usage events dated (by day) before the account'
            ~ ' existed: before both its created_at and its first'
            ~ ' subscription start. Kept in the usage models.'},
        {'name': 'overlapping_paid_subscriptions',
         'description': 'Paid subscriptions whose period overlaps another'
            ~ ' paid subscription of the same account; MRR and ARR sum'
            ~ ' them. extra_arr_usd: ARR on the as-of date beyond each'
            ~ ' account\'s largest active subscription. Kept.'},
        {'name': 'usage_user_in_other_account',
         'description': 'Usage events whose user_id belongs to another'
            ~ ' account in users. Kept, counted for the event\'s'
            ~ ' account_id.'},
        {'name': 'invoice_subscription_in_other_account',
         'description': 'Invoices whose subscription_id belongs to another'
            ~ ' account in subscriptions. Kept, counted for the invoice\'s'
            ~ ' account_id.'},
        {'name': 'after_as_of_date',
         'description': 'Rows dated after the as-of date. Quarantined as'
            ~ ' after_as_of_date (stg_raw__<table>__quarantine); counted'
            ~ ' here so a wrong as-of date or future-dated rows show.'},
        {'name': 'non_iso_country',
         'description': 'Accounts whose country (after the synonyms of'
            ~ ' staging) is not an ISO 3166-1 alpha-2 code of the'
            ~ ' iso_country_codes seed. Kept as written. example_keys:'
            ~ ' account_id (country).'},
        {'name': 'event_not_in_catalog',
         'description': 'Usage events whose event_name is not in'
            ~ ' seeds/event_catalog.csv: quarantined as unknown_event_name.'
            ~ ' example_keys: the unknown event names. List yours with'
            ~ ' python -m cs_segments.events.'},
    ]) }}
{%- endmacro %}


{#- Share of checked rows above which the test of a check fires. -#}
{% macro dq_max_share(check_name) -%}
    {{- return(var('dq_' ~ check_name ~ '_max_share')) -}}
{%- endmacro %}


{#- Severity of a check's test: var dq_severity_by_check[check_name] when
    set, else var dq_severity; 'warn' or 'error'. -#}
{% macro dq_severity(check_name) -%}
    {%- set by_check = var('dq_severity_by_check', {}) or {} -%}
    {%- set severity = by_check.get(
        check_name, var('dq_severity', 'warn')) | string | lower -%}
    {%- if severity not in ['warn', 'error'] -%}
        {{ exceptions.raise_compiler_error(
            "data-quality severity of '" ~ check_name ~ "' must be warn or"
            ~ " error (vars dq_severity, dq_severity_by_check), got '"
            ~ severity ~ "'") }}
    {%- endif -%}
    {{- return(severity) -}}
{%- endmacro %}


{#- How many example keys a check lists. -#}
{% macro dq_example_count() -%}
    {{- return(3) -}}
{%- endmacro %}


{#-
    The closing CTEs of an int_dq__<check> model, ending in `final`. Expects
    a CTE `checked` with one row per checked row: table_name, check_key (the
    text shown in example_keys) and is_flagged (boolean). Returns one row
    per table_name in `tables` (so a table with no rows still reports 0 of
    0): rows_checked, rows_flagged and the first dq_example_count() distinct
    flagged keys in sort order, comma-separated. `extra_arr_usd`: a SQL
    expression over a one-row CTE `extra_arr` when given, else null.
-#}
{% macro dq_summary_ctes(check_name, tables, with_extra_arr=false) -%}
table_names as (

    {% for table in tables -%}
        select
            cast('{{ table }}' as {{ dbt.type_string() }}) as table_name
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

counts as (

    select
        table_name,
        count(*) as rows_checked,
        sum(case when is_flagged then 1 else 0 end) as rows_flagged
    from checked
    group by 1

),

flagged_keys as (

    select distinct
        table_name,
        check_key
    from checked
    where is_flagged

),

numbered_keys as (

    select
        table_name,
        check_key,
        row_number() over (
            partition by table_name
            order by check_key
        ) as key_number
    from flagged_keys

),

examples as (

    select
        table_name,
        nullif(
            concat_ws(
                ', ',
                {% for number in range(1, dq_example_count() + 1) -%}
                    max(
                        case when key_number = {{ number }} then check_key end
                    ){{ "," if not loop.last }}
                {% endfor -%}
            ),
            ''
        ) as example_keys
    from numbered_keys
    where key_number <= {{ dq_example_count() }}
    group by 1

),

final as (

    select
        cast('{{ check_name }}' as {{ dbt.type_string() }}) as check_name,
        table_names.table_name,
        cast(coalesce(counts.rows_flagged, 0) as bigint) as rows_flagged,
        cast(coalesce(counts.rows_checked, 0) as bigint) as rows_checked,
        cast(examples.example_keys as {{ dbt.type_string() }})
            as example_keys,
        {% if with_extra_arr -%}
            cast(extra_arr.extra_arr_usd as decimal(18, 2))
        {%- else -%}
            cast(null as decimal(18, 2))
        {%- endif %} as extra_arr_usd
    from table_names
    left join counts
        on table_names.table_name = counts.table_name
    left join examples
        on table_names.table_name = examples.table_name
    {% if with_extra_arr -%}
        cross join extra_arr
    {%- endif %}

)
{%- endmacro %}


{#-
    Generic test on rpt_data_quality: fails (at the check's severity) when
    the share of flagged rows of `check_name` is above its threshold in any
    table (compared as rows_flagged > threshold x rows_checked, so one
    flagged row among millions is above a threshold of 0), or when the
    report has no row for the check. The threshold is read from the var, not
    from the report's column, so `dbt test --vars ...` applies a new one. Usage in YAML:

        data_tests:
          - dq_share_within_threshold:
              name: dq_usage_before_account_start
              arguments:
                check_name: usage_before_account_start
-#}
{% test dq_share_within_threshold(model, check_name) %}

{{ config(severity=dq_severity(check_name)) }}

with

report as (

    select * from {{ model }}
    where check_name = '{{ check_name }}'

),

above_threshold as (

    select
        check_name,
        table_name,
        rows_flagged,
        rows_checked,
        share_flagged,
        threshold,
        example_keys
    from report
    where
        rows_flagged
        > cast({{ dq_max_share(check_name) }} as decimal(18, 6)) * rows_checked

),

missing as (

    select
        cast('{{ check_name }}' as {{ dbt.type_string() }}) as check_name,
        cast('(no row in the report)' as {{ dbt.type_string() }})
            as table_name,
        cast(null as bigint) as rows_flagged,
        cast(null as bigint) as rows_checked,
        cast(null as decimal(18, 6)) as share_flagged,
        cast(null as decimal(18, 6)) as threshold,
        cast(null as {{ dbt.type_string() }}) as example_keys
    from (select count(*) as report_rows from report) as report_count
    where report_count.report_rows = 0

)

select * from above_threshold
union all
select * from missing

{% endtest %}
