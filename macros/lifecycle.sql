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

{#-
    int_account_activation is incremental on DuckDB (see the model): every
    run rewrites each row it keeps or recomputes (delete+insert on
    account_id), stamped with the new high-water mark usage_loaded_at and
    the current activation vars; the post-hook, in the same transaction,
    deletes the rows the run did not write (accounts no longer activated).
    On Spark it is a table, rebuilt whole (delete+insert is not available
    on its default file format).
-#}
{% macro lifecycle_activation_config() %}
    {{ return(delete_insert_or_table_config(
        'account_id', "{{ lifecycle_activation_prune() }}")) }}
{% endmacro %}

{#- Post-hook of int_account_activation: delete the rows this run did not
    write (an older mark or other vars than the run's). -#}
{% macro lifecycle_activation_prune() %}
    {% if is_incremental() %}
        delete from {{ this }}
        where
            usage_loaded_at is distinct from (
                select max(usage_daily.loaded_at)
                from {{ ref('int_usage_daily') }} as usage_daily
            )
            or activation_active_users
            <> {{ var('lifecycle_activation_active_users') }}
            or activation_window_days
            <> {{ var('lifecycle_activation_window_days') }}
    {% endif %}
{% endmacro %}
