{#-
    Helpers of the value dimension (models/intermediate/value). The tier
    configuration lives in dbt_project.yml (section "value dimension").
-#}

{#- True when subscription `alias` is active on `date_expr`: started on or
    before it and not yet ended (end_date is exclusive, null = open-ended). -#}
{% macro subscription_is_active_on(alias, date_expr) -%}
    (
        {{ alias }}.start_date <= {{ date_expr }}
        and (
            {{ alias }}.end_date is null
            or {{ alias }}.end_date > {{ date_expr }}
        )
    )
{%- endmacro %}

{#- The four value tiers, top first. value_tier_rank = position (1 = top). -#}
{% macro value_tiers() -%}
    {{ return(['strategic', 'enterprise', 'growth', 'long_tail']) }}
{%- endmacro %}

{#- Tier configuration, validated: method and the three lower bounds. -#}
{% macro value_tier_config() -%}
    {%- set method = var('value_tier_method') -%}
    {%- if method == 'bands' -%}
        {%- set bounds = var('value_tier_arr_bands',
            {'strategic': 100000, 'enterprise': 25000, 'growth': 5000}) -%}
    {%- elif method == 'percentiles' -%}
        {%- set bounds = var('value_tier_percentiles',
            {'strategic': 0.95, 'enterprise': 0.80, 'growth': 0.50}) -%}
    {%- else -%}
        {{ exceptions.raise_compiler_error(
            "var value_tier_method must be 'bands' or 'percentiles', got '"
            ~ method ~ "'") }}
    {%- endif -%}
    {%- for tier in ['strategic', 'enterprise', 'growth'] -%}
        {%- if bounds[tier] is not number -%}
            {{ exceptions.raise_compiler_error(
                "value tier bound '" ~ tier ~ "' (method " ~ method
                ~ ") must be a number, got '" ~ bounds[tier] ~ "'") }}
        {%- endif -%}
    {%- endfor -%}
    {%- if not (bounds['strategic'] >= bounds['enterprise']
        and bounds['enterprise'] >= bounds['growth']) -%}
        {{ exceptions.raise_compiler_error(
            "value tier bounds must satisfy strategic >= enterprise >= growth, got "
            ~ bounds) }}
    {%- endif -%}
    {{ return({'method': method, 'bounds': bounds}) }}
{%- endmacro %}

{#- Tier from ARR alone. Zero-ARR accounts are long_tail. With bands the
    value compared is arr_usd, with percentiles arr_percentile; an account
    exactly at a lower bound belongs to the higher tier. -#}
{% macro value_tier_from_arr(arr_usd, arr_percentile, is_zero_arr) -%}
    {%- set config = value_tier_config() -%}
    {%- set measure = arr_usd if config.method == 'bands' else arr_percentile -%}
    case
        when {{ is_zero_arr }} then 'long_tail'
        when {{ measure }} >= {{ config.bounds['strategic'] }} then 'strategic'
        when {{ measure }} >= {{ config.bounds['enterprise'] }}
            then 'enterprise'
        when {{ measure }} >= {{ config.bounds['growth'] }} then 'growth'
        else 'long_tail'
    end
{%- endmacro %}

{#- SQL case giving the rank (1 = strategic ... 4 = long_tail) of a tier. -#}
{% macro value_tier_rank(tier) -%}
    case {{ tier }}
        {%- for name in value_tiers() %}
        when '{{ name }}' then {{ loop.index }}
        {%- endfor %}
    end
{%- endmacro %}
