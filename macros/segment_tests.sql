{#-
    Generic test: every value of the column is a key of the segment catalog
    (var segment_catalog). Usage in YAML:

        columns:
          - name: segment_key
            data_tests: [segment_key_in_catalog]
-#}
{% test segment_key_in_catalog(model, column_name) %}

select {{ column_name }} as unknown_segment_key
from {{ model }}
where
    {{ column_name }} is not null
    and {{ column_name }} not in {{ segment_literal_list(segment_keys()) }}

{% endtest %}
