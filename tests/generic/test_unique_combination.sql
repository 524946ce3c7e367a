{#-
    Fails for every combination of `columns` that occurs more than once in
    the model (nulls count as values). Usage in YAML:

        data_tests:
          - unique_combination:
              arguments:
                columns: [account_id, as_of_date]

    Two passes over the model: the first groups a 64-bit hash of the
    combination (macros/staging.sql, key_hash) and keeps the hashes seen more
    than once; the second groups the columns themselves, for the rows with
    those hashes only. Equal combinations have equal hashes, so no repeat is
    missed; a hash shared by different combinations only sends a few more
    rows to the second pass. Grouping the columns of every row took 17 s on
    the 112.6 M rows of int_usage_daily at 100,000 accounts, both passes
    10 s (one run each, benchmarks: README "Scale").

    With `since_last_pass_column` (when a row was written) and
    `since_last_pass_partition` (a key column), only the partitions with a
    row written since the test last passed are compared, all their rows
    (macros/test_passes.sql).
-#}
{% test unique_combination(
    model, columns, since_last_pass_column=none,
    since_last_pass_partition=none) %}

{%- set rows = rows_since_last_pass(
    model, 'unique_combination', columns, since_last_pass_column,
    since_last_pass_partition) %}
{%- set combination_hash = key_hash(columns | join(', ')) %}

with

model_hashes as (

    select {{ combination_hash }} as combination_hash
    from {{ rows }}

),

model_rows as (

    select
        {% for column in columns -%}
            {{ column }},
        {% endfor -%}
        {{ combination_hash }} as combination_hash
    from {{ rows }}

),

repeated_hashes as (

    select combination_hash
    from model_hashes
    group by combination_hash
    having count(*) > 1

),

repeated_combinations as (

    select
        {% for column in columns -%}
            {{ column }},
        {% endfor -%}
        count(*) as duplicate_rows
    from model_rows
    where
        combination_hash in (
            select repeated_hashes.combination_hash from repeated_hashes
        )
    group by
        {% for column in columns -%}
            {{ column }}{{ "," if not loop.last }}
        {% endfor %}
    having count(*) > 1

)

select * from repeated_combinations

{% endtest %}
