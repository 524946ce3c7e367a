{#-
    dbt's relationships test, applied only when the parent has rows: every
    non-null `column_name` of the model exists in `to`.`field`. Used where
    the parent table is optional in the raw contract (users, csms): without
    it, the ids are kept unchecked (staging does the same).
-#}
{% test relationships_when_parent_loaded(model, column_name, to, field) %}

select child.{{ column_name }}
from {{ model }} as child
left join {{ to }} as parent
    on child.{{ column_name }} = parent.{{ field }}
where
    child.{{ column_name }} is not null
    and parent.{{ field }} is null
    and exists (select 1 from {{ to }})

{% endtest %}
