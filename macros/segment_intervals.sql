{#-
    Incremental strategy of int_account_segment_intervals: the run's
    marker row (account_id null) carries restated_from, the last as-of date
    whose membership is unchanged; every stored interval still running on
    or after it is deleted (null: every stored interval) and the run's
    intervals are inserted. A run without a marker (nothing changed)
    changes nothing. Runs inside the model's transaction, as dbt's
    delete+insert.
-#}
{% macro get_incremental_restate_intervals_sql(arg_dict) %}
    {%- set target = arg_dict['target_relation'] -%}
    {%- set source = arg_dict['temp_relation'] -%}
    {%- set columns = get_quoted_csv(
        arg_dict['dest_columns'] | map(attribute='name')) -%}
    delete from {{ target }}
    where exists (
        select 1
        from {{ source }} as marker
        where
            marker.account_id is null
            and (
                marker.restated_from is null
                or {{ target }}.last_member_as_of_date >= marker.restated_from
            )
    );

    insert into {{ target }} ({{ columns }})
    select {{ columns }}
    from {{ source }}
    where account_id is not null
{% endmacro %}
