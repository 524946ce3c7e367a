{#-
    Macros of the behaviour dimension (models/intermediate/behaviour).
-#}

{#-
    Materialization config of int_usage_daily, by adapter. The model is
    incremental: each run re-reads the last `usage_daily_lookback_days` days
    and every older day whose staged total changed (late events), and
    replaces those days whole.
    - DuckDB, Postgres and others: delete+insert keyed on activity_date (all
      rows of a re-read day are deleted, then inserted again).
    - Spark: insert_overwrite with partition_by activity_month (dynamic
      partition overwrite of whole months: the model then reloads every day
      of a month that has a day to reload; usage_daily_reload_grain).
      `unique_key` on Spark's default parquet format silently appends
      duplicates, so it is not used there.
    A full rebuild: `dbt build --full-refresh --select int_usage_daily+`.
    Needed when tests/assert_usage_daily_reconciles.sql fails: after a
    correction of older usage that keeps each day's total, or after moving
    var `as_of_date` backwards (rows after the new as-of date stay in the
    table; later models bound every window by the as-of date).
-#}
{% macro usage_daily_incremental_config() %}
    {{ return(adapter.dispatch(
        'usage_daily_incremental_config', 'cs_segments')()) }}
{% endmacro %}

{% macro default__usage_daily_incremental_config() %}
    {{ return({
        'materialized': 'incremental',
        'incremental_strategy': 'delete+insert',
        'unique_key': 'activity_date',
        'on_schema_change': 'fail',
    }) }}
{% endmacro %}

{% macro spark__usage_daily_incremental_config() %}
    {{ return({
        'materialized': 'incremental',
        'incremental_strategy': 'insert_overwrite',
        'partition_by': ['activity_month'],
        'file_format': 'parquet',
        'on_schema_change': 'fail',
    }) }}
{% endmacro %}

{#-
    What int_usage_daily replaces when a day must be reloaded: the day
    (default, delete+insert keyed on activity_date) or its whole month
    (Spark, where a run overwrites whole partitions). Spark partitions by
    month, not day: a partition per day is a directory, a metastore entry
    and at least one file per day (about 1,100 for three years of usage),
    which made the 40-account Spark check spend 130 s writing and listing
    them (int_usage_daily and its four readers; e2e/test_spark.py). A daily
    run on Spark rewrites the current month (and the previous one in a
    month's first days): one or two of the 36 months of three years.
-#}
{% macro usage_daily_reload_grain() %}
    {{ return(adapter.dispatch(
        'usage_daily_reload_grain', 'cs_segments')()) }}
{% endmacro %}

{% macro default__usage_daily_reload_grain() %}
    {{ return('day') }}
{% endmacro %}

{% macro spark__usage_daily_reload_grain() %}
    {{ return('month') }}
{% endmacro %}

{#- First day of the month of a date column, as a date on every engine
    (int_usage_daily.activity_month, Spark's partition of the rollup; only
    Spark has that column, so a DuckDB warehouse needs no full refresh). -#}
{% macro usage_daily_month(column) -%}
    cast({{ dbt.date_trunc('month', column) }} as date)
{%- endmacro %}

{#- Double-precision floating point type, for ratios, logs and lifts. -#}
{% macro behaviour_type_float() %}
    {{ return(adapter.dispatch('behaviour_type_float', 'cs_segments')()) }}
{% endmacro %}

{% macro default__behaviour_type_float() %}
    {{ return('double') }}
{% endmacro %}

{% macro postgres__behaviour_type_float() %}
    {{ return('double precision') }}
{% endmacro %}

{#-
    The account-wide candidate behaviours, one entry per behaviour_key: the
    condition that makes it present on a row of int_account_behaviour_weekly
    (never null) and the measure behind it. Read by
    int_account_behaviour_candidates_weekly (which evaluates them) and
    int_behaviour_candidate_keys (which lists them), so a behaviour added
    here is both evaluated and analysed. Thresholds are vars of the
    behaviour section of dbt_project.yml. no_activity_14d: never active
    counts as inactive.
-#}
{% macro behaviour_account_candidates() %}
    {{ return([
        {'key': 'usage_decline',
         'is_present': 'coalesce(usage_trend_ratio < '
            ~ var('behaviour_usage_decline_ratio') ~ ', false)',
         'metric': 'usage_trend_ratio'},
        {'key': 'low_seat_utilisation',
         'is_present': 'coalesce(seat_utilisation_30d < '
            ~ var('behaviour_low_seat_utilisation') ~ ', false)',
         'metric': 'seat_utilisation_30d'},
        {'key': 'no_activity_14d',
         'is_present': 'coalesce(days_since_last_activity >= '
            ~ var('behaviour_inactive_days') ~ ', true)',
         'metric': 'days_since_last_activity'},
        {'key': 'high_priority_tickets',
         'is_present': 'high_priority_tickets_90d >= '
            ~ var('behaviour_high_priority_tickets_min'),
         'metric': 'high_priority_tickets_90d'},
        {'key': 'nps_detractor',
         'is_present': 'coalesce(latest_nps_score <= '
            ~ var('behaviour_nps_detractor_max') ~ ', false)',
         'metric': 'latest_nps_score'},
        {'key': 'overdue_invoice',
         'is_present': 'overdue_invoices >= 1',
         'metric': 'overdue_invoices'},
        {'key': 'recent_contraction',
         'is_present': 'recent_contraction = true',
         'metric': 'mrr_usd'},
        {'key': 'few_active_users',
         'is_present': 'active_users_30d <= '
            ~ var('behaviour_few_active_users_max'),
         'metric': 'active_users_30d'},
    ]) }}
{% endmacro %}

{#-
    The date `days` days before the date expression `date_expr`, as a date
    (dbt.dateadd returns a timestamp on some engines).
-#}
{% macro behaviour_days_before(date_expr, days) -%}
    cast({{ dbt.dateadd('day', -1 * days, date_expr) }} as date)
{%- endmacro %}


{#-
    Weekly buckets (the usage panels: int_account_usage_weekly,
    int_account_feature_usage_weekly). The grid is the week ends: the
    latest one and every 7th day before it (int_as_of_dates.week_index
    k = 0, 1, ...; the open as-of date, when it is not a week end, is
    computed directly in the panels). A usage day t days before the latest
    week end lies in bucket
    b = t div 7 (the 7 days ending on as-of date b) at position
    r = t mod 7 (days before the end of its bucket). For as-of date k, that
    day is j = b - k whole weeks and r days back, 7j + r days before it, so
      30-day window (<= 29 days back): buckets k..k+3, plus days r <= 1 of
        bucket k+4 (28 + r <= 29);
      prior 30 days (30..59 days back): the 60-day window minus the 30-day
        one; 60-day window: buckets k..k+7, plus days r <= 3 of bucket k+8;
      90-day window: buckets k..k+11, plus days r <= 5 of bucket k+12.
    So each bucket stores its total and the totals of its last 2, 4 and 6
    days, and the windows are sums over a range of bucket indexes
    (usage_window_sums): no daily row is ever copied to several as-of dates.
-#}

{#- The bucket index b of a day `days_back` days before the current as-of
    date (days_back >= 0). -#}
{% macro usage_week_index(days_back) -%}
    cast(({{ days_back }} - {{ days_back }} % 7) / 7 as integer)
{%- endmacro %}

{#- The bucket totals (a select list over rows with `days_back` and the
    count column `value`): all days, and the last 2, 4 and 6 days. -#}
{% macro usage_bucket_sums(value, days_back) -%}
    sum({{ value }}) as bucket_total,
    sum(case when {{ days_back }} % 7 <= 1 then {{ value }} else 0 end)
        as bucket_last_2d,
    sum(case when {{ days_back }} % 7 <= 3 then {{ value }} else 0 end)
        as bucket_last_4d,
    sum(case when {{ days_back }} % 7 <= 5 then {{ value }} else 0 end)
        as bucket_last_6d
{%- endmacro %}

{#- A sum of `column` over the buckets `first`..`last` after the current
    row's, in one partition ordered by week_index (0 when none). -#}
{% macro usage_bucket_range_sum(column, partition_by, first, last) -%}
    coalesce(sum({{ column }}) over (
        partition by {{ partition_by }}
        order by week_index
        range between {{ first }} and {{ last }}
    ), 0)
{%- endmacro %}

{#- The 30-day, prior 30-day and 90-day window sums of the bucket totals
    (columns bucket_total, bucket_last_2d/4d/6d), per row of a timeline
    with one row per `partition_by` and week_index. -#}
{% macro usage_window_sums(partition_by) -%}
    {{ usage_bucket_range_sum(
        'bucket_total', partition_by, 'current row', '3 following') }}
    + {{ usage_bucket_range_sum(
        'bucket_last_2d', partition_by, '4 following', '4 following') }}
        as events_30d,
    {{ usage_bucket_range_sum(
        'bucket_total', partition_by, 'current row', '7 following') }}
    + {{ usage_bucket_range_sum(
        'bucket_last_4d', partition_by, '8 following', '8 following') }}
        as events_60d,
    {{ usage_bucket_range_sum(
        'bucket_total', partition_by, 'current row', '11 following') }}
    + {{ usage_bucket_range_sum(
        'bucket_last_6d', partition_by, '12 following', '12 following') }}
        as events_90d
{%- endmacro %}

{#- The first day any window of usage_window_sums reaches on a grid whose
    oldest as-of date is `oldest_week_index` weeks before `as_of_date`: its
    90-day window ends in bucket oldest_week_index + 12 ('12 following'
    above), so days after bucket oldest_week_index + 13 (one week of
    margin) are never read. Keep in step with the frames above. -#}
{% macro usage_first_day_reached(as_of_date, oldest_week_index) -%}
    cast({{ dbt.dateadd(
        'day', '1 - 7 * (' ~ oldest_week_index ~ ' + 14)', as_of_date) }}
        as date)
{%- endmacro %}

{#- The open as-of date (int_as_of_dates.is_week_end false) is not on the
    grid of week ends: the usage panels compute its windows directly from
    its own days, as they do for a week end that a run recomputes alone
    (usage_panel_plan). Each such date reads the days from
    usage_open_first_day of the earliest of them through itself (`days_back`
    0 and up; a later date reads up to 6 days more than its 90, left out
    of its windows below). Its rows are summed per user first
    (usage_direct_user_sums: one row per date, account, user, and key
    feature in the feature panel; the account-level events, with no user,
    make one row too), then per account (usage_direct_window_sums): the same
    windows as usage_window_sums, the distinct users of the 30 and 90 days
    counted from the per-user rows, and the fewest days back of any usage
    (the last activity). Counting distinct users in the account aggregate
    instead (one hash table per window) took 3.0 to 3.6 s per date at
    100,000 accounts, against 2.1 to 2.2 s summed per user first (one run
    each). -#}
{% macro usage_open_first_day(as_of_date) -%}
    {{ behaviour_days_before(as_of_date, 89) }}
{%- endmacro %}

{% macro usage_direct_user_sums() -%}
    sum(case when days_back <= 29 then event_count else 0 end)
        as events_30d,
    sum(case when days_back between 30 and 59 then event_count else 0 end)
        as events_prior_30d,
    sum(case when days_back <= 89 then event_count else 0 end)
        as events_90d,
    min(days_back) as min_days_back
{%- endmacro %}

{% macro usage_direct_window_sums() -%}
    sum(events_30d) as events_30d,
    sum(events_prior_30d) as events_prior_30d,
    sum(events_90d) as events_90d,
    count(case when min_days_back <= 29 then user_id end)
        as active_users_30d,
    count(case when min_days_back <= 89 then user_id end)
        as active_users_90d,
    min(min_days_back) as min_days_back
{%- endmacro %}

{#- Whether the as-of date of a row (column as_of_date of the spine or of
    int_as_of_dates) is computed directly: the open date, and the week end
    a run recomputes alone (usage_panel_plan's direct_week_end). -#}
{% macro usage_is_direct_date(direct_week_end) -%}
    {%- if direct_week_end -%}
        (not is_week_end or as_of_date = cast('{{ direct_week_end }}' as date))
    {%- else -%}
        not is_week_end
    {%- endif -%}
{%- endmacro %}

{#- The one-row bounds of the days the dates computed directly read (CTE
    `direct_dates`, column as_of_date): from usage_open_first_day of the
    earliest through the latest. -#}
{% macro usage_direct_bounds() -%}
    select
        {{ usage_open_first_day('min(as_of_date)') }} as first_day,
        max(as_of_date) as last_day
    from direct_dates
{%- endmacro %}

{#- Over the rollup's rows `usage` cross joined with `direct_bounds` and
    `direct_dates`: the days before each date (days_back), and the filter
    that keeps the days each date reads (from the first day of the
    earliest one's 90 through itself). The filter on days_back, an
    expression of both sides, keeps DuckDB from planning a range join (a
    merge join that sorts every day). -#}
{% macro usage_direct_days_back(usage) -%}
    {{ dbt.datediff(
        usage ~ '.activity_date', 'direct_dates.as_of_date', 'day') }}
{%- endmacro %}

{% macro usage_direct_days_filter(usage) -%}
    {{ usage }}.activity_date
        between direct_bounds.first_day and direct_bounds.last_day
        and {{ usage_direct_days_back(usage) }} >= 0
{%- endmacro %}

{#- The filter of the rollup's days that the dates computed directly read:
    those of usage_direct_bounds, and, when the run's plan gives the dates
    as literals (`direct_dates`, a list of YYYY-MM-DD), the same range as
    constants, which DuckDB's scan uses to skip row groups before reading
    them. No date: no day. -#}
{% macro usage_direct_days_where(direct_dates) -%}
    {%- if direct_dates is none -%}
        true
    {%- elif direct_dates | length == 0 -%}
        false
    {%- else -%}
        activity_date between {{ usage_open_first_day(
            "cast('" ~ (direct_dates | min) ~ "' as date)") }}
        and cast('{{ direct_dates | max }}' as date)
    {%- endif -%}
{%- endmacro %}

{#- The window columns of a usage panel row computed directly (the open
    date, or a week end computed like it) from `usage`, its aggregate by
    usage_direct_window_sums, left joined: zeros where it has no row. -#}
{% macro usage_direct_window_columns(usage) -%}
    cast(coalesce({{ usage }}.events_30d, 0) as bigint) as events_30d,
        cast(coalesce({{ usage }}.events_prior_30d, 0) as bigint)
            as events_prior_30d,
        cast(coalesce({{ usage }}.events_90d, 0) as bigint) as events_90d,
        cast(coalesce({{ usage }}.active_users_30d, 0) as bigint)
            as active_users_30d
{%- endmacro %}

{#-
    Distinct active users per window without copying rows: a user active in
    bucket b, whose latest day there is r_min days before the bucket's end,
    counts in the 30-day window of as-of dates k = b - 3 .. b (b - 4 .. b
    when r_min <= 1), in the 90-day window of k = b - 11 .. b (b - 12 .. b
    when r_min <= 5). The part of that range not already covered by the
    user's previous (more recent) bucket starts at
    greatest(reach, previous bucket + 1): summing +1 at each start and -1
    after each end, a running total over week_index is the number of
    distinct users on each as-of date. `weeks` is the reach in buckets,
    `extra_weeks_if` the r_min condition for one more.
-#}
{% macro usage_user_coverage_start(weeks, extra_weeks_if) -%}
    greatest(
        {{ usage_user_coverage_reach(
            'week_index', 'min_days_back_in_bucket', weeks, extra_weeks_if) }},
        coalesce(previous_week_index + 1, week_index - {{ weeks + 1 }})
    )
{%- endmacro %}

{#- The first as-of week (smallest week_index) a bucket's coverage reaches,
    as above: bucket `week` minus `weeks`, minus one more when its
    `min_days_back` meets `extra_weeks_if`. -#}
{% macro usage_user_coverage_reach(week, min_days_back, weeks, extra_weeks_if)
-%}
    {{ week }} - case
        when {{ min_days_back }} {{ extra_weeks_if }} then {{ weeks + 1 }}
        else {{ weeks }}
    end
{%- endmacro %}

{#-
    Consecutive buckets of one user cover adjoining ranges of as-of dates
    when the later range starts right after the earlier one ends: their +1
    and -1 cancel out there. Only the first bucket of such a run (island)
    needs its +1 and only the last its -1, so user_deltas keeps the edges of
    islands only (at 100,000 accounts the feature panel's 33 M user buckets
    form 6.9 M islands of 30-day coverage). Both macros read the row's
    previous_week_index (the user's previous, more recent bucket), or
    next_week_index and next_min_days_back_in_bucket (its next, older
    bucket), as ordered_user_buckets makes them; `weeks` and
    `extra_weeks_if` as in usage_user_coverage_start.
-#}
{% macro usage_user_coverage_starts_island(weeks, extra_weeks_if) -%}
    (
        previous_week_index is null
        or {{ usage_user_coverage_reach(
            'week_index', 'min_days_back_in_bucket', weeks, extra_weeks_if) }}
        > previous_week_index + 1
    )
{%- endmacro %}

{% macro usage_user_coverage_ends_island(weeks, extra_weeks_if) -%}
    (
        next_week_index is null
        or {{ usage_user_coverage_reach(
            'next_week_index', 'next_min_days_back_in_bucket',
            weeks, extra_weeks_if) }}
        > week_index + 1
    )
{%- endmacro %}

{#- `weight` times a hash of a usage row's account, user and event, as
    decimal(38, 0) so that summing it over a day's rows cannot overflow.
    tests/assert_usage_daily_reconciles.sql sums it per day over the staged
    events (weight = quantity) and over int_usage_daily (weight =
    event_count): equal rollups give equal sums. DuckDB and Spark both have
    a variadic hash(); only sums computed on the same engine are compared. -#}
{% macro usage_weighted_hash(weight) -%}
    cast(hash(account_id, coalesce(user_id, ''), event_name)
        as decimal(38, 0)) * {{ weight }}
{%- endmacro %}

{#-
    The usage panels (int_account_usage_weekly,
    int_account_feature_usage_weekly) are incremental on DuckDB: a run
    recomputes only the as-of dates whose rows can have changed, keyed on
    as_of_date (delete+insert). The as-of dates recomputed are every one on
    or after the earliest of (usage_panel_recompute, below):
    - the earliest day of int_usage_daily loaded since the panel's last
      build (int_usage_daily.loaded_at later than the panel's high-water
      mark usage_loaded_at): late rows and the reloaded lookback days;
    - the earliest as-of date of the spine (int_account_weeks) with a row
      the panel does not have (a new account, a new week end, a changed
      `week_ends_on`);
    - the latest as-of date the panel has (the previous run's as-of date:
      its is_current and open period end) and the current as-of date.
    Every as-of date is recomputed when every day of int_usage_daily was
    loaded since the panel's last build (the rollup was rebuilt on its own
    and may have lost days) or, in the feature panel, when the key features
    change. Rows the spine no longer has (the previous open date, week ends
    older than `history_weeks`, removed accounts) are deleted after the
    insert (usage_panel_prune, a post-hook in the model's transaction).
    On Spark the panels are tables, rebuilt whole: delete+insert is not
    available on its default file format.
-#}
{% macro usage_panel_config() %}
    {{ return(delete_insert_or_table_config(
        'as_of_date', "{{ usage_panel_prune() }}")) }}
{% endmacro %}

{#- The config of a model that is incremental by delete+insert on
    `unique_key` on DuckDB, with a post-hook (a SQL template rendered at run
    time, in the model's transaction), and a plain table on Spark
    (delete+insert is not available on its default file format): the usage
    panels (usage_panel_config) and int_account_activation
    (lifecycle_activation_config, macros/lifecycle.sql). -#}
{% macro delete_insert_or_table_config(
    unique_key, post_hook, on_schema_change='fail') %}
    {{ return(adapter.dispatch(
        'delete_insert_or_table_config', 'cs_segments')(
        unique_key, post_hook, on_schema_change)) }}
{% endmacro %}

{% macro default__delete_insert_or_table_config(
    unique_key, post_hook, on_schema_change) %}
    {{ return({
        'materialized': 'incremental',
        'incremental_strategy': 'delete+insert',
        'unique_key': unique_key,
        'on_schema_change': on_schema_change,
        'post_hook': post_hook,
    }) }}
{% endmacro %}

{% macro spark__delete_insert_or_table_config(
    unique_key, post_hook, on_schema_change) %}
    {{ return({'materialized': 'table'}) }}
{% endmacro %}

{#- The config of a model that is incremental on DuckDB by one of this
    project's own strategies (macro get_incremental_<strategy>_sql, DuckDB
    SQL), with `unique_key` when the strategy reads one, and a plain table
    on every other engine (each run rebuilds it whole):
    base_raw__usage_events (replace_staged_days, macros/usage_staging.sql)
    and int_account_segment_intervals (restate_intervals,
    macros/segment_intervals.sql). -#}
{% macro duckdb_strategy_or_table_config(strategy, unique_key=none) %}
    {{ return(adapter.dispatch(
        'duckdb_strategy_or_table_config', 'cs_segments')(
        strategy, unique_key)) }}
{% endmacro %}

{% macro default__duckdb_strategy_or_table_config(strategy, unique_key) %}
    {{ return({'materialized': 'table'}) }}
{% endmacro %}

{% macro duckdb__duckdb_strategy_or_table_config(strategy, unique_key) %}
    {%- set config = {
        'materialized': 'incremental',
        'incremental_strategy': strategy,
        'on_schema_change': 'fail',
    } -%}
    {%- if unique_key is not none -%}
        {%- do config.update({'unique_key': unique_key}) -%}
    {%- endif -%}
    {{ return(config) }}
{% endmacro %}

{#- Whether this run of a usage panel (or of int_account_activation, which
    keeps the same mark) adds to the stored rows: an incremental run on a
    table that has the high-water mark column usage_loaded_at (a table built
    before it existed is rebuilt whole, and dbt's on_schema_change check
    then asks for a full refresh). -#}
{% macro usage_panel_is_incremental() %}
    {{ return(is_incremental_with_column('usage_loaded_at')) }}
{% endmacro %}

{#- Whether this is an incremental run on a stored table that has `column`
    (the column an incremental run reads back from it). -#}
{% macro is_incremental_with_column(column) %}
    {#- In a unit test is_incremental() can render as the text 'False',
        and `this` is none unless the test gives it. -#}
    {% if this is none %}
        {{ return(false) }}
    {% endif %}
    {% if (is_incremental() | string | lower) != 'true' %}
        {{ return(false) }}
    {% endif %}
    {% if not execute %}
        {{ return(true) }}
    {% endif %}
    {% set names = adapter.get_columns_in_relation(this)
        | map(attribute='name') | map('lower') | list %}
    {{ return(column in names) }}
{% endmacro %}

{#- Post-hook of the usage panels: delete the stored rows the spine no
    longer has (runs after the insert, in the same transaction). -#}
{% macro usage_panel_prune() %}
    {% if is_incremental() %}
        delete from {{ this }}
        where not exists (
            select 1
            from {{ ref('int_account_weeks') }} as spine
            where
                spine.account_id = {{ this }}.account_id
                and spine.as_of_date = {{ this }}.as_of_date
        )
    {% endif %}
{% endmacro %}

{#- The timestamp the current dbt invocation started (UTC), as a SQL
    timestamp literal: the loaded_at of int_usage_daily. -#}
{% macro run_started_at_timestamp() -%}
    cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S.%f") }}' as timestamp)
{%- endmacro %}

{#-
    The CTEs that decide what a run of a usage panel recomputes (see
    usage_panel_config), ending in `recompute` (one row):
    recompute_from_date, the earliest as-of date recomputed (every later
    one is), and usage_loaded_at, the panel's new high-water mark (the
    latest int_usage_daily.loaded_at). A full build recomputes from the
    first as-of date. `incremental` from usage_panel_is_incremental();
    `stored_keys_where` filters {{ this }} to one row per account and
    as-of date; `everything_changed`, a SQL condition that forces a
    recompute of every as-of date (the feature panel: its key features
    changed); `stored_ctes`, CTEs over {{ this }} that those two read, put
    first in an incremental run.
-#}
{% macro usage_panel_recompute(incremental, stored_keys_where='true',
                               everything_changed='false', stored_ctes=none) -%}
{% if incremental and stored_ctes -%}
{{ stored_ctes }},

{% endif -%}
usage_loads as (

    select
        activity_date,
        loaded_at
    from {{ ref('int_usage_daily') }}

),

grid_bounds as (

    select
        min(as_of_date) as first_as_of_date,
        max(as_of_date) as current_as_of_date
    from {{ ref('int_as_of_dates') }}

),

{% if incremental -%}
stored_marks as (

    select
        max(usage_loaded_at) as usage_loaded_at,
        max(as_of_date) as latest_stored_date
    from {{ this }}

),

stored_keys as (

    select
        account_id,
        as_of_date
    from {{ this }}
    where {{ stored_keys_where }}

),

spine_keys as (

    select
        account_id,
        as_of_date
    from {{ ref('int_account_weeks') }}

),

new_loads as (

    -- The days of int_usage_daily written since the panel's last build.
    select
        max(usage_loads.loaded_at) as usage_loaded_at,
        min(usage_loads.loaded_at) as earliest_loaded_at,
        min(
            case
                when
                    stored_marks.usage_loaded_at is null
                    or usage_loads.loaded_at > stored_marks.usage_loaded_at
                    then usage_loads.activity_date
            end
        ) as first_loaded_date
    from usage_loads
    cross join stored_marks

),

added_keys as (

    -- Rows of the spine the panel does not have yet.
    select min(spine_keys.as_of_date) as first_added_date
    from spine_keys
    left join stored_keys
        on
            spine_keys.account_id = stored_keys.account_id
            and spine_keys.as_of_date = stored_keys.as_of_date
    where stored_keys.account_id is null

),

recompute as (

    select
        new_loads.usage_loaded_at,
        case
            -- Every day of the rollup loaded since the panel's last build
            -- (it was rebuilt on its own, and may have lost days).
            when
                stored_marks.latest_stored_date is null
                or new_loads.earliest_loaded_at > stored_marks.usage_loaded_at
                or ({{ everything_changed }})
                then grid_bounds.first_as_of_date
            else least(
                coalesce(
                    new_loads.first_loaded_date,
                    grid_bounds.current_as_of_date
                ),
                coalesce(
                    added_keys.first_added_date,
                    grid_bounds.current_as_of_date
                ),
                stored_marks.latest_stored_date,
                grid_bounds.current_as_of_date
            )
        end as recompute_from_date
    from new_loads
    cross join stored_marks
    cross join added_keys
    cross join grid_bounds

)
{%- else -%}
loads_mark as (

    select max(loaded_at) as usage_loaded_at
    from usage_loads

),

recompute as (

    select
        loads_mark.usage_loaded_at,
        grid_bounds.first_as_of_date as recompute_from_date
    from grid_bounds
    cross join loads_mark

)
{%- endif %}
{%- endmacro %}

{#- Whether a plan query can run before a model's own query (the usage
    panels, int_goal_attainment_weekly): an incremental run at execution
    time, outside a unit test (its inputs are CTEs of the model's own
    query, which a query run before it cannot read). -#}
{% macro incremental_plan_can_run(incremental) %}
    {%- if not (incremental and execute) -%}
        {{ return(false) }}
    {%- endif -%}
    {{ return('__dbt__cte__' not in (ref('int_as_of_dates') | string)) }}
{% endmacro %}

{#-
    The plan of an incremental run of a usage panel, decided by a query run
    before the model's own: `plan_ctes` are the CTEs the model would
    otherwise run inside its query, ending in usage_panel_recompute's
    `recompute`. Returns none when there is no plan: a full build, parsing,
    or a unit test (its inputs are CTEs of its own query, which a query run
    before it cannot read); the model then runs those CTEs itself. Else a
    dict:
    - recompute: the CTE `recompute` with the plan's two values as literals,
      so the model's query does not compute them a second time;
    - direct_week_end: the week end this run recomputes (YYYY-MM-DD) when it
      is the only one (a daily run with no late usage: the latest week end,
      which the reloaded lookback days reach), else none. The panels
      compute it directly from the 90 days ending on it, like the open
      date, instead of through the grid of weekly buckets, whose windows
      run over 14 weeks of every account (see the README, Scale). With two
      or more, reading every day of their windows for each (the days
      joined to the dates) cost more than the grid.
    - direct_dates: the as-of dates computed directly (YYYY-MM-DD): the
      open date, if any, and direct_week_end, if any.
-#}
{% macro usage_panel_plan(incremental, plan_ctes) %}
    {%- if not incremental_plan_can_run(incremental) -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set plan_query -%}
with

{{ plan_ctes }},

plan_week_ends as (

    select
        count(*) as week_ends,
        min(plan_as_of_dates.as_of_date) as first_week_end
    from {{ ref('int_as_of_dates') }} as plan_as_of_dates
    cross join recompute
    where
        plan_as_of_dates.is_week_end
        and plan_as_of_dates.as_of_date >= recompute.recompute_from_date

),

plan_open as (

    select max(as_of_date) as open_as_of_date
    from {{ ref('int_as_of_dates') }}
    where not is_week_end

)

select
    cast(recompute.usage_loaded_at as {{ dbt.type_string() }})
        as usage_loaded_at,
    cast(recompute.recompute_from_date as {{ dbt.type_string() }})
        as recompute_from_date,
    plan_week_ends.week_ends,
    cast(plan_week_ends.first_week_end as {{ dbt.type_string() }})
        as first_week_end,
    cast(plan_open.open_as_of_date as {{ dbt.type_string() }})
        as open_as_of_date
from recompute
cross join plan_week_ends
cross join plan_open
    {%- endset -%}
    {%- set row = run_query(plan_query).rows[0] -%}
    {%- set recompute -%}
recompute as (

    -- Decided by the plan query run before this one (usage_panel_plan).
    select
        cast({{ 'null' if row[0] is none else cs_sql_string(row[0]) }}
            as {{ dbt.type_timestamp() }}) as usage_loaded_at,
        cast({{ 'null' if row[1] is none else cs_sql_string(row[1]) }}
            as date) as recompute_from_date

)
    {%- endset -%}
    {{ log(this.identifier ~ ": recomputes the as-of dates from "
        ~ row[1] ~ " (" ~ row[2] ~ " week end(s))", info=false) }}
    {%- set direct_week_end = row[3] if row[2] == 1 else none -%}
    {{ return({
        'recompute': recompute,
        'direct_week_end': direct_week_end,
        'direct_dates': [row[4], direct_week_end] | reject('none') | list,
    }) }}
{% endmacro %}
