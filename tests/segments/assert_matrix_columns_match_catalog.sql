{#-
    account_segment_matrix has exactly the columns account_id, as_of_date and
    one per catalog key (its contract is not enforced because the columns
    are generated). Returns one row per missing or unexpected column.
-#}
{%- set expected = ['account_id', 'as_of_date'] + segment_keys() -%}
{%- set actual = [] -%}
{%- if execute -%}
    {%- for column in adapter.get_columns_in_relation(
        ref('account_segment_matrix')) -%}
        {%- do actual.append(column.name | lower) -%}
    {%- endfor -%}
{%- endif -%}
{%- set problems = [] -%}
{%- for name in expected if name not in actual -%}
    {%- do problems.append(('missing', name)) -%}
{%- endfor -%}
{%- for name in actual if name not in expected -%}
    {%- do problems.append(('unexpected', name)) -%}
{%- endfor -%}
{%- if execute and actual | length == 0 -%}
    {%- do problems.append(('missing', 'account_segment_matrix')) -%}
{%- endif -%}


-- depends_on: {{ ref('account_segment_matrix') }}
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
