{#-
    Helpers for the segment catalog (var `segment_catalog` in
    dbt_project.yml) and the segment models. The catalog holds values only;
    these macros turn it into SQL literals, check it, and generate the
    catalog-driven parts (dim_segments rows, matrix columns, the value /
    lifecycle / outcome rule columns and the membership rows).
-#}

{#- The catalog, checked: every field present, keys unique and column-safe,
    dimension and engagement model from the allowed lists. Any problem stops
    the compilation with one message listing all problems. -#}
{% macro segment_catalog() %}
    {%- set catalog = var('segment_catalog') -%}
    {%- set fields = ['key', 'dimension', 'name', 'description', 'rule',
        'engagement_model', 'playbook', 'owner', 'priority', 'evidence'] -%}
    {%- set dimension_columns = segment_dimension_columns() -%}
    {%- set dimensions = segment_dimensions() -%}
    {%- set engagement_models = ['high-touch', 'low-touch', 'tech-touch'] -%}
    {%- set problems = [] -%}
    {%- set seen = [] -%}
    {%- if catalog | length == 0 -%}
        {%- do problems.append('var segment_catalog is empty') -%}
    {%- endif -%}
    {%- for entry in catalog -%}
        {%- set label = entry.get('key', 'entry #' ~ loop.index) -%}
        {%- for field in fields -%}
            {%- if entry.get(field) is none
                or (entry.get(field) | string | trim) == '' -%}
                {%- do problems.append(label ~ ': missing ' ~ field) -%}
            {%- endif -%}
        {%- endfor -%}
        {%- set key = entry.get('key') | string -%}
        {%- if not modules.re.match('^[a-z][a-z0-9_]{0,62}$', key) -%}
            {%- do problems.append(label
                ~ ': key must match [a-z][a-z0-9_]* (it becomes a column)') -%}
        {%- endif -%}
        {%- if key in seen -%}
            {%- do problems.append(label ~ ': duplicate key') -%}
        {%- endif -%}
        {%- do seen.append(key) -%}
        {%- if entry.get('dimension') not in dimensions -%}
            {%- do problems.append(label ~ ': dimension must be one of '
                ~ dimensions | join(', ')) -%}
        {%- endif -%}
        {%- if entry.get('engagement_model') not in engagement_models -%}
            {%- do problems.append(label ~ ': engagement_model must be one of '
                ~ engagement_models | join(', ')) -%}
        {%- endif -%}
        {%- if entry.get('priority') is not number -%}
            {%- do problems.append(label ~ ': priority must be an integer') -%}
        {%- endif -%}
        {%- set evidence = entry.get('evidence') -%}
        {%- if evidence is not none and (evidence is string
            or evidence is mapping or evidence is not iterable) -%}
            {%- do problems.append(label
                ~ ': evidence must be a list of column names') -%}
        {%- elif evidence is not none -%}
            {%- for column in evidence
                if not modules.re.match('^[a-z][a-z0-9_]*$', column | string)
            -%}
                {%- do problems.append(label ~ ': evidence column '
                    ~ column ~ ' is not a column name') -%}
            {%- endfor -%}
        {%- endif -%}
        {%- set dimension = entry.get('dimension') -%}
        {%- if dimension in dimension_columns
            and not key.startswith(dimension ~ '_') -%}
            {%- do problems.append(label ~ ': a ' ~ dimension
                ~ ' segment key is ' ~ dimension ~ '_<'
                ~ dimension_columns[dimension] ~ '>') -%}
        {%- endif -%}
        {%- if key in ['account_id', 'as_of_date'] -%}
            {%- do problems.append(label
                ~ ': key clashes with a matrix column') -%}
        {%- endif -%}
    {%- endfor -%}
    {%- for key in var('segments_documented_empty') -%}
        {%- if key not in seen -%}
            {%- do problems.append('segments_documented_empty: ' ~ key
                ~ ' is not in segment_catalog') -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if problems -%}
        {{ exceptions.raise_compiler_error(
            "Invalid segment catalog (var segment_catalog in "
            ~ "dbt_project.yml):\n  - " ~ problems | join("\n  - ")) }}
    {%- endif -%}
    {{ return(catalog) }}
{% endmacro %}

{#- The allowed dimensions, in display order. -#}
{% macro segment_dimensions() %}
    {{ return(['value', 'lifecycle', 'outcome', 'behaviour', 'composite']) }}
{% endmacro %}

{#- The dimensions whose segments are one value of a panel column, and
    that column: segment `<dimension>_<value>` holds the accounts whose
    column equals <value>. -#}
{% macro segment_dimension_columns() %}
    {{ return({
        'value': 'value_tier',
        'lifecycle': 'lifecycle_stage',
        'outcome': 'outcome_status',
    }) }}
{% endmacro %}

{#- The rule columns of the value, lifecycle and outcome segments, generated
    from the catalog: `coalesce(<column> = '<value>', false) as is_<key>`,
    comma-separated (for a select list). -#}
{% macro segment_dimension_rules() %}
    {%- set dimension_columns = segment_dimension_columns() -%}
    {%- set rules = [] -%}
    {%- for entry in segment_catalog()
        if entry['dimension'] in dimension_columns -%}
        {%- set prefix = entry['dimension'] ~ '_' -%}
        {%- do rules.append(
            'coalesce(' ~ dimension_columns[entry['dimension']] ~ ' = '
            ~ segment_literal(entry['key'][prefix | length:])
            ~ ', false) as is_' ~ entry['key']) -%}
    {%- endfor -%}
    {{- rules | join(',\n') -}}
{% endmacro %}

{#- Membership rows generated from the catalog: for every entry, the rows of
    `relation` whose rule column is_<key> is true, with the key, the
    dimension and the evidence of the entry's evidence columns, as one
    `union all` query. -#}
{% macro segment_membership_rows(relation) %}
    {%- for entry in segment_catalog() %}
    select
        account_id,
        as_of_date,
        {{ segment_literal(entry['key']) }} as segment_key,
        {{ segment_literal(entry['dimension']) }} as dimension,
        {{ segment_evidence_of(entry) }} as evidence
    from {{ relation }}
    where is_{{ entry['key'] }} = true
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
{% endmacro %}

{#- The evidence text of a catalog entry: its evidence columns by name;
    columns listed in var segment_evidence_decimals are rounded to that many
    decimals. -#}
{% macro segment_evidence_of(entry) -%}
    {%- set decimals = var('segment_evidence_decimals', {}) -%}
    {%- set pairs = [] -%}
    {%- for column in entry['evidence'] -%}
        {%- if column in decimals -%}
            {%- do pairs.append((column,
                cs_decimal(column, 18, decimals[column]))) -%}
        {%- else -%}
            {%- do pairs.append((column, column)) -%}
        {%- endif -%}
    {%- endfor -%}
    {{- segment_evidence(pairs) -}}
{%- endmacro %}

{#- Every catalog key, in catalog order. -#}
{% macro segment_keys() %}
    {%- set keys = [] -%}
    {%- for entry in segment_catalog() -%}
        {%- do keys.append(entry['key']) -%}
    {%- endfor -%}
    {{ return(keys) }}
{% endmacro %}

{#- A catalog key as a SQL literal. Fails the compilation when the key is not
    in the catalog, so membership SQL cannot emit an unknown segment. -#}
{% macro segment_key(key) %}
    {%- if key not in segment_keys() -%}
        {{ exceptions.raise_compiler_error(
            "Segment '" ~ key ~ "' is not in var segment_catalog "
            ~ "(dbt_project.yml). Add it to the catalog first.") }}
    {%- endif -%}
    {{- segment_literal(key) -}}
{% endmacro %}

{#- A Jinja value as a SQL text literal (quotes doubled). -#}
{% macro segment_literal(value) -%}
    {%- if value is none -%}
        null
    {%- else -%}
        '{{ value | string | replace("'", "''") }}'
    {%- endif -%}
{%- endmacro %}

{#- A list of values as a SQL list: ('a', 'b'). -#}
{% macro segment_literal_list(values) -%}
    {%- if values | length == 0 -%}
        {{ exceptions.raise_compiler_error(
            "segment_literal_list: empty list (SQL `in ()` is invalid)") }}
    {%- endif -%}
    ({%- for value in values -%}
        {{ segment_literal(value) }}{{ ", " if not loop.last }}
    {%- endfor -%})
{%- endmacro %}

{#- Evidence text 'label=value; label=value' from (label, expression) pairs.
    Portable: dbt.concat of text casts; null values print as 'null'. -#}
{% macro segment_evidence(pairs) -%}
    {%- set parts = [] -%}
    {%- for label, expression in pairs -%}
        {%- do parts.append(segment_literal(
            ("; " if not loop.first else "") ~ label ~ "=")) -%}
        {%- do parts.append(
            "coalesce(cast(" ~ expression ~ " as " ~ dbt.type_string()
            ~ "), 'null')") -%}
    {%- endfor -%}
    {{- dbt.concat(parts) -}}
{%- endmacro %}

{#- One boolean column of account_segment_matrix: true when any joined row
    has segment_key = key (aggregate; use with group by account). -#}
{% macro segment_matrix_flag(segment_key_column, key) -%}
    coalesce(
        max(case when {{ segment_key_column }} = {{ segment_literal(key) }}
            then 1 end) = 1,
        false
    ) as {{ key }}
{%- endmacro %}

{#- Aggregate: the values of `measure` as one ', '-separated text, ordered by
    the expressions in `order_by` (a list); null when every value is null.
    dbt.listagg ignores the order on Spark, so Spark sorts a collected array
    of structs instead (and turns the empty text of a group of nulls into
    null, as string_agg gives on DuckDB). -#}
{% macro segment_listagg(measure, order_by) %}
    {{- return(adapter.dispatch('segment_listagg', 'cs_segments')(
        measure, order_by)) -}}
{% endmacro %}

{% macro default__segment_listagg(measure, order_by) -%}
    {{ dbt.listagg(measure, "', '", 'order by ' ~ order_by | join(', ')) }}
{%- endmacro %}

{#- DuckDB, ordered by the measure itself (every use but the worklist's):
    the values collected into a list and the list sorted, then joined
    (array_to_string leaves the nulls out). The same text as the ordered
    string_agg (null when every value is null), in less time: on the 3.0 M
    behaviour flags of int_account_segment_rules_weekly at 100,000
    accounts, grouped per account and date, the ordered aggregate took 2.27
    to 2.29 s, this 1.43 to 1.53 s (two runs each, alternately, a test run
    beside them; the results equal, and the rules table too). The unit test
    segment_rules_high_value_at_risk fails without the sort. -#}
{% macro duckdb__segment_listagg(measure, order_by) -%}
    {%- if order_by | list == [measure] -%}
        case
            when count({{ measure }}) > 0
                then array_to_string(list_sort(list({{ measure }})), ', ')
        end
    {%- else -%}
        {{ default__segment_listagg(measure, order_by) }}
    {%- endif -%}
{%- endmacro %}

{% macro spark__segment_listagg(measure, order_by) -%}
    nullif(array_join(
        transform(
            array_sort(collect_list(struct(
                {%- for expression in order_by %}
                {{ expression }} as sort_{{ loop.index }},
                {%- endfor %}
                {{ measure }} as item
            ))),
            entry -> entry.item
        ),
        ', '
    ), '')
{%- endmacro %}
