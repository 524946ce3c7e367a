{#-
    Weekly tables replaced per as-of date, by the fingerprint of their
    inputs (DuckDB; tables on Spark): int_account_behaviour_weekly,
    int_account_segment_rules_weekly and
    int_account_segment_membership_weekly (whose input is the rules'
    inputs_fingerprint; the rules' flags change only when a week closes,
    see int_churn_indicator_lift), and the point-in-time panels whose
    inputs are dated rows, not weekly ones (value, lifecycle, billing,
    support, NPS: `dated_inputs` below), and the outcome panel. Each stored row keeps
    `inputs_fingerprint`, the fingerprint of its as-of date's inputs when
    it was computed: the sum of a 31-bit hash (row_print) of every input
    row of that date, each hash also taking `version` (model_code_md5: the
    model's code and the expanded macros and vars it reads). A run
    fingerprints every as-of date of its inputs (one grouped pass over
    each), recomputes the dates whose fingerprint is new or changed
    (delete+insert on as_of_date) and deletes, after the insert, the dates
    the spine (int_account_weeks, or the parent named) no longer has. A
    change of the code or of a var in `version` changes every date's
    fingerprint, so every date is recomputed. A change that keeps a date's
    sum (about one chance in two billion per changed date) goes unnoticed
    until that date changes again or a full refresh.
-#}

{#- `spine`: the model whose as-of dates the table keeps (a parent of the
    model: the weekly spine, or for a table on another fingerprinted table
    that table, whose own post-hook prunes it to the spine first).
    `on_schema_change`: 'sync_all_columns' for a table whose columns follow
    its code or vars (the segment rules gain is_<key> when a segment is
    added): the change of code or var changes every date's fingerprint, so
    the run adds or drops the columns and replaces every date, and no row
    keeps a column it was not computed with. 'fail' (dbt's message asking
    for a full refresh) otherwise.
    `empty_dates`: true for a table whose recomputed dates can come out
    with no row (the behaviour candidates keep present behaviours only):
    its incremental run adds a marker row per recomputed date (account_id
    null), so that delete+insert replaces the date all the same, and a
    second post-hook deletes the markers (delete_as_of_date_markers). -#}
{% macro as_of_fingerprint_config(
    spine='int_account_weeks', on_schema_change='fail', empty_dates=false) %}
    {%- set post_hook = (
        "{{ prune_as_of_dates_not_in_spine('" ~ spine ~ "') }}") -%}
    {%- if empty_dates -%}
        {%- set post_hook = [post_hook, "{{ delete_as_of_date_markers() }}"] -%}
    {%- endif -%}
    {{ return(delete_insert_or_table_config(
        'as_of_date', post_hook, on_schema_change)) }}
{% endmacro %}

{#- Whether this run replaces only the changed as-of dates: an incremental
    run on a stored table that has inputs_fingerprint (a table built before
    it existed stops at dbt's on_schema_change check, which asks for a full
    refresh). -#}
{% macro as_of_fingerprint_is_incremental() %}
    {{ return(is_incremental_with_column('inputs_fingerprint')) }}
{% endmacro %}

{#- Post-hook: delete the stored as-of dates the spine (int_account_weeks,
    or the parent named) no longer has (the previous open date, week ends
    older than `history_weeks`). A date's other changes, an account gone
    included, change its fingerprint, so its rows are replaced whole. -#}
{% macro prune_as_of_dates_not_in_spine(spine='int_account_weeks') %}
    {% if is_incremental() %}
        delete from {{ this }}
        where as_of_date not in (
            select spine.as_of_date
            from {{ ref(spine) }} as spine
        )
    {% endif %}
{% endmacro %}

{#- Post-hook of a table stored with empty_dates (above): delete the
    marker rows (account_id null) its incremental run adds. -#}
{% macro delete_as_of_date_markers() %}
    {% if is_incremental() %}
        delete from {{ this }}
        where account_id is null
    {% endif %}
{% endmacro %}

{#- The CTEs input_rows, input_fingerprints, stored_fingerprints and
    recompute_dates (as_of_date, inputs_fingerprint: every date in a full
    build; the new and changed dates in an incremental run). `inputs`: a
    list of (model name, [columns read besides account_id and as_of_date]),
    each read once more here (one import CTE per use: a CTE read twice would
    be materialized whole first): their as-of dates are the ones
    fingerprinted. `dated_inputs`: a list of (model name, date
    expression, [columns read]) for the inputs of a point-in-time panel
    that are not per as-of date (subscriptions, invoices, tickets): a row
    counts in the fingerprint of every as-of date on or after its date, the
    first date whose rows its columns can change (the date is fingerprinted
    with the columns); a row whose date is null counts nowhere (it must
    change no row: a comparison with null is never true). One table can be
    given several times, a date and its columns each: a subscription's
    start with its seats and revenue, its end date alone (a cancellation
    then changes the dates from the old or new end on, not every date
    since the start). The sums are taken per day first, then each day's
    sum is added to the fingerprints of the as-of dates on or after it (a
    join of days to dates, not of input rows to dates). -#}
{% macro as_of_fingerprint_ctes(
    inputs, version, incremental, dated_inputs=[]) -%}
{%- if dated_inputs %}
dated_input_days as (

    select
        from_date,
        sum(row_print) as day_print
    from (
        {% for relation, from_date, columns in dated_inputs %}
            select
                cast({{ from_date }} as date) as from_date,
                {{ row_print(
                    "'" ~ version ~ "', '" ~ relation ~ "', '"
                    ~ from_date | replace("'", "''") ~ "', "
                    ~ ([from_date] + columns) | join(', ')) }}
                    as row_print
            from {{ ref(relation) }}
            where {{ from_date }} is not null
            {% if not loop.last %}
                union all
            {% endif %}
        {%- endfor %}
    ) as dated_rows
    group by 1

),

{%- endif %}

input_rows as (

    {% for relation, columns in inputs %}
        select
            as_of_date,
            {{ row_print(
                (["'" ~ version ~ "'", "'" ~ relation ~ "'",
                    'account_id', 'as_of_date'] + columns) | join(', ')) }}
                as row_print
        from {{ ref(relation) }}
        {% if not loop.last %}
            union all
        {% endif %}
    {%- endfor %}

),

input_fingerprints as (

    {% if dated_inputs -%}
        -- each date's keyed rows, then the days of dated rows up to it
        select
            keyed_dates.as_of_date,
            cast(
                keyed_dates.keyed_print
                + coalesce(sum(dated_input_days.day_print), 0)
                as bigint
            ) as inputs_fingerprint
        from (
            select
                as_of_date,
                sum(row_print) as keyed_print
            from input_rows
            group by 1
        ) as keyed_dates
        left join dated_input_days
            on dated_input_days.from_date <= keyed_dates.as_of_date
        group by keyed_dates.as_of_date, keyed_dates.keyed_print
    {%- else -%}
        select
            as_of_date,
            cast(sum(row_print) as bigint) as inputs_fingerprint
        from input_rows
        group by 1
    {%- endif %}

),

stored_fingerprints as (

    select
        as_of_date,
        min(inputs_fingerprint) as min_inputs_fingerprint,
        max(inputs_fingerprint) as max_inputs_fingerprint
    {% if incremental -%}
        from {{ this }}
    {%- else -%}
        from input_fingerprints
        where 1 = 0
    {%- endif %}
    group by 1

),

recompute_dates as (

    select
        input_fingerprints.as_of_date,
        input_fingerprints.inputs_fingerprint
    from input_fingerprints
    left join stored_fingerprints
        on input_fingerprints.as_of_date = stored_fingerprints.as_of_date
    where
        stored_fingerprints.as_of_date is null
        or stored_fingerprints.min_inputs_fingerprint
        <> input_fingerprints.inputs_fingerprint
        or stored_fingerprints.max_inputs_fingerprint
        <> input_fingerprints.inputs_fingerprint

)
{%- endmacro %}

{#- The filter of an input read for the rows: in an incremental run, its
    rows of the as-of dates recomputed only (a mark join on the few dates);
    nothing in a full build. -#}
{% macro as_of_recomputed_only(incremental) -%}
    {%- if incremental -%}
        where coalesce(
            as_of_date in (
                select recompute_dates.as_of_date from recompute_dates
            ),
            false
        )
    {%- endif -%}
{%- endmacro %}
