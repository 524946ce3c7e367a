{#-
    account_segment_matrix (wide) and fct_account_segments (long) say the
    same: the matrix unpivoted (one row per true cell) equals the long
    table. Returns the (account, segment) pairs found on one side only.
-#}
with

matrix_cells as (

    {% for key in segment_keys() -%}
        select
            account_id,
            {{ segment_literal(key) }} as segment_key
        from {{ ref('account_segment_matrix') }}
        where {{ key }} = true
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

long_rows as (

    select
        account_id,
        segment_key
    from {{ ref('fct_account_segments') }}

)

select
    coalesce(matrix_cells.account_id, long_rows.account_id) as account_id,
    coalesce(matrix_cells.segment_key, long_rows.segment_key) as segment_key,
    matrix_cells.account_id is not null as in_matrix,
    long_rows.account_id is not null as in_long_table
from matrix_cells
full outer join long_rows
    on
        matrix_cells.account_id = long_rows.account_id
        and matrix_cells.segment_key = long_rows.segment_key
where matrix_cells.account_id is null or long_rows.account_id is null
