{#-
    The date the segmentation is computed for, as a SQL date literal.
    var('as_of_date') when set; otherwise the latest date present in the raw
    data: the last usage event, or when there is no usage at all, the last
    invoice or subscription start. The wall clock is never read, so a build
    for a past date shows what the model would have shown then.
-#}
{% macro as_of_date() -%}
    {%- set configured = var('as_of_date', none) -%}
    {#- Resolved at parse time too, so dbt records the dependencies. -#}
    {%- set candidates = [
        (source('raw', 'usage_events'), 'occurred_at'),
        (source('raw', 'invoices'), 'issued_at'),
        (source('raw', 'subscriptions'), 'start_date'),
    ] -%}
    {%- if configured -%}
        {{- "cast('" ~ configured ~ "' as date)" -}}
    {%- elif not execute -%}
        {{- "cast('1970-01-01' as date)" -}}
    {%- else -%}
        {%- set maxima = [] -%}
        {%- for relation, column in candidates -%}
            {%- do maxima.append(
                "(select max(cast(" ~ staging_try_cast(
                    staging_raw_text(column), api.Column.translate_type('timestamp'))
                ~ " as date)) from " ~ relation ~ ")") -%}
        {%- endfor -%}
        {%- set latest = run_query(
            "select cast(coalesce(" ~ maxima | join(", ") ~ ") as "
            ~ dbt.type_string() ~ ")").columns[0].values()[0] -%}
        {%- if latest is none -%}
            {{ exceptions.raise_compiler_error(
                "Cannot infer as_of_date: usage_events, invoices and "
                ~ "subscriptions are all empty. Set it with "
                ~ "--vars '{as_of_date: YYYY-MM-DD}'.") }}
        {%- endif -%}
        {{- "cast('" ~ latest ~ "' as date)" -}}
    {%- endif -%}
{%- endmacro %}
