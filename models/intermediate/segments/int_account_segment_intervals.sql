{#-
    Segment membership as validity intervals (gaps and islands over
    int_account_segment_membership_weekly): consecutive as-of dates
    (numbered in int_as_of_dates) in which an account belongs to a segment
    form one interval. valid_from = first as-of date in the segment;
    valid_to = the first as-of date it was absent again (exclusive); null =
    still a member at the current as-of date. fct_account_segment_history
    publishes it without the bookkeeping columns.

    Incremental on DuckDB (a table on Spark) by the strategy
    restate_intervals (macros/segment_intervals.sql):
    a run restates the intervals from the last as-of date before the first
    changed one (restated_from), which a daily run finds a week back: the
    intervals that ended before it are kept as they are, the ones running
    through it keep their start, and the rest is recomputed from the
    membership on and after it. A changed date is one the membership
    rewrote since this table was last written (its loaded_at), a date a
    stored interval names that the membership or the grid no longer has
    (the open date of the last run, week ends older than `history_weeks`),
    or a date of the grid without membership rows. With no date before
    the first changed one, or another code (code_version), every interval
    is recomputed.
-#}
{{ config(**duckdb_strategy_or_table_config('restate_intervals')) }}
{%- set incremental = is_incremental_with_column('code_version') %}
{%- set version = model_code_md5() %}
with

as_of_dates as (

    select as_of_date
    from {{ ref('int_as_of_dates') }}

),

numbered_weeks as (

    select
        as_of_date,
        row_number() over (order by as_of_date) as week_number
    from as_of_dates

),

{% if incremental -%}
-- The dates the membership holds, each with the run that wrote it (a
-- date is replaced whole, so all its rows share loaded_at).
membership_dates as (

    select
        as_of_date,
        max(loaded_at) as loaded_at
    from {{ ref('int_account_segment_membership_weekly') }}
    group by 1

),

stored_marks as (

    select
        max(loaded_at) as loaded_at,
        coalesce(max(code_version <> '{{ version }}'), false)
            as has_other_code
    from {{ this }}

),

stored_member_dates as (

    select valid_from as as_of_date from {{ this }}
    union
    select last_member_as_of_date as as_of_date from {{ this }}

),

stored_next_dates as (

    select distinct valid_to as as_of_date
    from {{ this }}
    where valid_to is not null

),

changed_dates as (

    select membership_dates.as_of_date
    from membership_dates
    cross join stored_marks
    where
        stored_marks.loaded_at is null
        or stored_marks.has_other_code
        or membership_dates.loaded_at > stored_marks.loaded_at

    union all

    select stored_member_dates.as_of_date
    from stored_member_dates
    where not exists (
        select 1
        from membership_dates
        where membership_dates.as_of_date = stored_member_dates.as_of_date
    )

    union all

    select stored_next_dates.as_of_date
    from stored_next_dates
    where not exists (
        select 1
        from numbered_weeks
        where numbered_weeks.as_of_date = stored_next_dates.as_of_date
    )

    union all

    -- a grid date without rows after one with rows (the spine only
    -- grows, so none in practice): its emptying left no loaded_at
    select numbered_weeks.as_of_date
    from numbered_weeks
    where
        numbered_weeks.as_of_date
        > (select min(membership_dates.as_of_date) from membership_dates)
        and not exists (
            select 1
            from membership_dates
            where membership_dates.as_of_date = numbered_weeks.as_of_date
        )

),

{% endif -%}
restate as (

    {% if incremental -%}
        select
            first_changed.as_of_date as first_changed_date,
            max(numbered_weeks.as_of_date) as restated_from,
            coalesce(max(numbered_weeks.week_number), 0)
                as restated_from_week
        from (
            select min(as_of_date) as as_of_date from changed_dates
        ) as first_changed
        left join numbered_weeks
            on numbered_weeks.as_of_date < first_changed.as_of_date
        group by 1
    {%- else -%}
        select
            cast(null as date) as restated_from,
            0 as restated_from_week
    {%- endif %}

),

{% if incremental -%}
-- The stored intervals running through restated_from: they keep their
-- start (its membership and the weeks before it are unchanged).
kept_starts as (

    select
        stored.account_id,
        stored.segment_key,
        stored.valid_from
    from {{ this }} as stored
    inner join restate
        on
            stored.valid_from <= restate.restated_from
            and stored.last_member_as_of_date >= restate.restated_from

),

{% endif -%}
segment_membership as (

    select
        membership.account_id,
        membership.segment_key,
        membership.dimension,
        membership.as_of_date,
        numbered_weeks.week_number
    from {{ ref('int_account_segment_membership_weekly') }} as membership
    inner join numbered_weeks
        on membership.as_of_date = numbered_weeks.as_of_date
    inner join restate
        on numbered_weeks.week_number >= restate.restated_from_week
    {% if incremental -%}
        where restate.first_changed_date is not null
    {%- endif %}

),

membership_with_islands as (

    select
        account_id,
        segment_key,
        dimension,
        as_of_date,
        week_number,
        week_number - row_number() over (
            partition by account_id, segment_key
            order by as_of_date
        ) as island_number
    from segment_membership

),

islands as (

    select
        account_id,
        segment_key,
        dimension,
        island_number,
        min(as_of_date) as island_valid_from,
        max(as_of_date) as last_member_as_of_date,
        max(week_number) as last_week_number
    from membership_with_islands
    group by 1, 2, 3, 4

),

intervals as (

    select
        islands.account_id,
        islands.segment_key,
        islands.dimension,
        {% if incremental -%}
            coalesce(kept_starts.valid_from, islands.island_valid_from)
        {%- else -%}
            islands.island_valid_from
        {%- endif %} as valid_from,
        islands.last_member_as_of_date,
        islands.last_week_number
    from islands
    {% if incremental -%}
        left join kept_starts
            on
                islands.account_id = kept_starts.account_id
                and islands.segment_key = kept_starts.segment_key
                and islands.island_valid_from = (
                    select restate.restated_from from restate
                )
    {%- endif %}

),

final as (

    select
        cast(intervals.account_id as {{ dbt.type_string() }}) as account_id,
        cast(intervals.segment_key as {{ dbt.type_string() }})
            as segment_key,
        cast(intervals.dimension as {{ dbt.type_string() }}) as dimension,
        cast(intervals.valid_from as date) as valid_from,
        cast(next_weeks.as_of_date as date) as valid_to,
        cast(intervals.last_member_as_of_date as date)
            as last_member_as_of_date,
        cast(
            intervals.last_week_number - first_weeks.week_number + 1
            as integer
        ) as weeks_in_segment,
        next_weeks.as_of_date is null as is_open,
        cast(restate.restated_from as date) as restated_from,
        cast('{{ version }}' as {{ dbt.type_string() }}) as code_version,
        {{ run_started_at_timestamp() }} as loaded_at
    from intervals
    cross join restate
    inner join numbered_weeks as first_weeks
        on intervals.valid_from = first_weeks.as_of_date
    left join numbered_weeks as next_weeks
        on intervals.last_week_number + 1 = next_weeks.week_number

    {% if incremental -%}
        union all

        -- the marker: what the strategy deletes before the insert
        -- (never stored)
        select
            cast(null as {{ dbt.type_string() }}) as account_id,
            cast(null as {{ dbt.type_string() }}) as segment_key,
            cast(null as {{ dbt.type_string() }}) as dimension,
            cast(null as date) as valid_from,
            cast(null as date) as valid_to,
            cast(null as date) as last_member_as_of_date,
            cast(null as integer) as weeks_in_segment,
            cast(null as boolean) as is_open,
            cast(restate.restated_from as date) as restated_from,
            cast('{{ version }}' as {{ dbt.type_string() }}) as code_version,
            {{ run_started_at_timestamp() }} as loaded_at
        from restate
        where restate.first_changed_date is not null
    {%- endif %}

)

select * from final
