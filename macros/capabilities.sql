{#-
    The distinct non-null values of `expression` in a group, sorted and
    joined with `separator` into one text (null when there are none).
    dbt.listagg has no Spark implementation and no distinct.
-#}
{% macro string_agg_distinct(expression, separator=', ') -%}
    {{ return(adapter.dispatch('string_agg_distinct', 'cs_segments')(
        expression, separator)) }}
{%- endmacro %}

{% macro default__string_agg_distinct(expression, separator) -%}
    string_agg(distinct {{ expression }}, '{{ separator }}'
        order by {{ expression }})
{%- endmacro %}

{% macro spark__string_agg_distinct(expression, separator) -%}
    nullif(
        array_join(array_sort(collect_set({{ expression }})), '{{ separator }}'),
        ''
    )
{%- endmacro %}
