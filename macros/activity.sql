{#-
    Islands of a user's activity days, for "active in the trailing
    `window_days` days" counts (int_account_activation,
    int_goal_attainment_weekly). An activity day a counts the user on the
    days a .. a + window_days - 1. Two consecutive activity days at most
    `window_days` apart give adjoining ranges, so a run of such days (an
    island) counts the user from its first day through its last day +
    window_days - 1 without a break: +1 on the island's first day and -1 on
    its last day + window_days; the running sum of these over dates is the
    number of users active in the trailing window. Only island edges carry
    a change, so the days inside an island give no row.

    `window_name` is a named window partitioned by account and user and
    ordered by `date_column` (lag and lead read one sort).
-#}
{% macro activity_starts_island(date_column, window_days, window_name) -%}
    (
        lag({{ date_column }}) over {{ window_name }} is null
        or {{ add_days(
            'lag(' ~ date_column ~ ') over ' ~ window_name, window_days) }}
        < {{ date_column }}
    )
{%- endmacro %}

{% macro activity_ends_island(date_column, window_days, window_name) -%}
    (
        lead({{ date_column }}) over {{ window_name }} is null
        or {{ add_days(date_column, window_days) }}
        < lead({{ date_column }}) over {{ window_name }}
    )
{%- endmacro %}
