{#-
    Helpers of the lifecycle dimension (models/intermediate/lifecycle). The
    thresholds live in dbt_project.yml (section "lifecycle dimension").
-#}

{#- Whole calendar months from date `start` to date `end` (0 when end <
    start + 1 month): calendar month boundaries crossed, minus one when the
    end's day of month is earlier than the start's. 2024-01-15 -> 2025-01-14
    is 11 months, -> 2025-01-15 is 12; 2024-02-29 -> 2025-02-28 is 11.
    Counted from year and month, not with dbt.datediff('month'): dbt-spark's
    datediff counts one month too many between two month ends when the
    second month is shorter (2024-03-31 -> 2024-04-30 gives 2, DuckDB 1),
    checked by e2e/test_spark.py (test_engine_probe_matches_duckdb). -#}
{% macro full_months_between(start, end) -%}
    (
        (extract(year from {{ end }}) - extract(year from {{ start }})) * 12
        + extract(month from {{ end }}) - extract(month from {{ start }})
        - case
            when extract(day from {{ end }}) < extract(day from {{ start }})
                then 1
            else 0
        end
    )
{%- endmacro %}

{#- `months` calendar months after date `start`, as a date. -#}
{% macro add_months(start, months) -%}
    cast({{ dbt.dateadd('month', months, start) }} as date)
{%- endmacro %}

{#- `days` days after date `start`, as a date. -#}
{% macro add_days(start, days) -%}
    cast({{ dbt.dateadd('day', days, start) }} as date)
{%- endmacro %}

{#- First anniversary of date `start` (start + 12 k months, k >= 1) that is
    strictly after date `on_date`; `start` <= `on_date` is assumed. The
    second branch only catches month-end clipping (a 29 February start). -#}
{% macro next_anniversary_after(start, on_date) -%}
    {%- set years_done -%}
        cast(floor({{ full_months_between(start, on_date) }} / 12) as integer)
    {%- endset -%}
    {%- set candidate = add_months(start, '12 * (' ~ years_done ~ ' + 1)') -%}
    case
        when {{ candidate }} > {{ on_date }} then {{ candidate }}
        else {{ add_months(start, '12 * (' ~ years_done ~ ' + 2)') }}
    end
{%- endmacro %}
