{#-
    Every catalog key has its rule column is_<key> in
    int_account_segment_rules_weekly, and every is_* column there is the
    rule of a catalog key (is_current, the panel's flag of the as-of date,
    is the one exception; helper booleans are named has_*). Returns one row
    per catalog key without a rule column and per rule column without a
    catalog key.
-#}
{%- set expected = [] -%}
{%- for key in segment_keys() -%}
    {%- do expected.append('is_' ~ key) -%}
{%- endfor -%}
{%- set actual = [] -%}
{%- if execute -%}
    {%- for column in adapter.get_columns_in_relation(
        ref('int_account_segment_rules_weekly')) -%}
        {%- set name = column.name | lower -%}
        {%- if name.startswith('is_') and name != 'is_current' -%}
            {%- do actual.append(name) -%}
        {%- endif -%}
    {%- endfor -%}
{%- endif -%}
{%- set problems = [] -%}
{%- for name in expected if name not in actual -%}
    {%- do problems.append(('catalog key without rule column', name)) -%}
{%- endfor -%}
{%- for name in actual if name not in expected -%}
    {%- do problems.append(('rule column without catalog key', name)) -%}
{%- endfor -%}


-- depends_on: {{ ref('int_account_segment_rules_weekly') }}
select
    problem,
    column_name
from (
    {% for problem, name in problems -%}
        select
            {{ segment_literal(problem) }} as problem,
            {{ segment_literal(name) }} as column_name
        union all
    {% endfor -%}
    select
        'none' as problem,
        'none' as column_name
) as problem_rows
where problem != 'none'
