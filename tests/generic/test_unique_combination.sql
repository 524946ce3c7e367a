{#-
    Fails for every combination of `columns` that occurs more than once in
    the model (nulls count as values). Usage in YAML:

        data_tests:
          - unique_combination:
              arguments:
                columns: [account_id, as_of_date]
-#}
{% test unique_combination(model, columns) %}

select
    {% for column in columns -%}
        {{ column }},
    {% endfor -%}
    count(*) as duplicate_rows
from {{ model }}
group by
    {% for column in columns -%}
        {{ column }}{{ "," if not loop.last }}
    {% endfor %}
having count(*) > 1

{% endtest %}
