{#-
    Rounding that gives the same digits on every engine.

    DuckDB divides two decimals as doubles and rounds a double by its binary
    value, Spark divides decimals exactly and rounds by the decimal value, so
    a value that lies exactly halfway in decimal but not in binary rounds
    differently: round(2.675, 2) is 2.67 on DuckDB and 2.68 on Spark, and
    57 / 200 = 0.285 cast to decimal(18, 2) is 0.28 on DuckDB and 0.29 on
    Spark (checked by e2e/test_spark.py, test_engine_probe_matches_duckdb).
    Going through decimal(38, 10) first gives both engines the same decimal
    value (a double's error is far below 1e-10 for the ratios, shares and
    lifts rounded here), which is then rounded half away from zero on both.
    Use these for every rounding or cast to a fixed scale of a double or of
    a quotient; a cast of a decimal to a wider scale needs neither.
-#}

{#- `expression` (double, decimal or a quotient) as decimal(precision,
    scale), rounded half away from zero on its decimal value. -#}
{% macro cs_decimal(expression, precision, scale) -%}
    cast(cast({{ expression }} as decimal(38, 10))
        as decimal({{ precision }}, {{ scale }}))
{%- endmacro %}

{#- `expression` rounded to `places` decimals as cs_decimal does, as a
    double (what round() of a double returns). -#}
{% macro cs_round(expression, places) -%}
    cast({{ cs_decimal(expression, 38, places) }}
        as {{ behaviour_type_float() }})
{%- endmacro %}
