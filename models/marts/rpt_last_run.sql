{#-
    One row about the run that built this warehouse, for the main and the
    scheduled command to print: the as-of date and where it came from, the
    future-dated guard, whether the run was incremental, and what it added
    compared with the latest earlier publication of
    fct_segment_membership_published (days of data, segment entries and
    exits, rule or indicator changes), and whether the as-of date is an
    open last period after the latest week end. "This run" = this dbt
    invocation.
-#}
with

as_of as (

    select
        as_of_date,
        as_of_date_source,
        is_inferred,
        future_dated_usage_rows
    from {{ ref('stg_raw__as_of_date') }}

),

as_of_dates as (

    select
        as_of_date,
        is_week_end
    from {{ ref('int_as_of_dates') }}

),

published as (

    -- The latest two publications, the only ones compared: this run adds
    -- at most one, after the latest before it. The log grows by one
    -- publication per run; reading all of it took 54 s after a year of
    -- daily runs at 100,000 accounts (128 M rows).
    select
        publication_number,
        published_as_of_date,
        dbt_invocation_id,
        account_id,
        segment_key,
        is_rules_change,
        is_indicators_change
    from {{ ref('fct_segment_membership_published') }}
    where
        publication_number >= (
            select
                coalesce(
                    max(
                        case
                            when numbers.publication_number < latest.number
                                then numbers.publication_number
                        end
                    ),
                    max(latest.number)
                )
            from {{ ref('fct_segment_membership_published') }} as numbers
            cross join (
                select max(publication_number) as number
                from {{ ref('fct_segment_membership_published') }}
            ) as latest
        )

),

this_run as (

    select *
    from published
    where dbt_invocation_id = '{{ invocation_id }}'

),

earlier_number as (

    select max(publication_number) as publication_number
    from published
    where dbt_invocation_id <> '{{ invocation_id }}'

),

earlier as (

    select published.*
    from published
    inner join earlier_number
        on published.publication_number = earlier_number.publication_number

),

-- the segments this run stands for: its own publication, or the latest
-- earlier one when it had nothing new to publish
confirmed as (

    select * from this_run
    union all
    select earlier.*
    from earlier
    where not exists (select 1 from this_run)

),

this_run_summary as (

    select
        count(*) as this_run_rows,
        coalesce(max(case when is_rules_change then 1 else 0 end), 0) = 1
            as is_rules_change,
        coalesce(max(case when is_indicators_change then 1 else 0 end), 0)
        = 1 as is_indicators_change
    from this_run

),

confirmed_summary as (

    select
        max(publication_number) as publication_number,
        count(*) as published_rows
    from confirmed

),

week_summary as (

    select
        max(case when is_week_end then as_of_date end) as last_week_end_date,
        coalesce(max(case when is_week_end then 0 else 1 end), 0) = 1
            as is_open_period
    from as_of_dates

),

earlier_summary as (

    select max(published_as_of_date) as previous_published_as_of_date
    from earlier

),

entries as (

    select count(*) as segment_entries
    from this_run
    left join earlier
        on
            this_run.account_id = earlier.account_id
            and this_run.segment_key = earlier.segment_key
    where earlier.account_id is null

),

exits as (

    select count(*) as segment_exits
    from earlier
    cross join this_run_summary
    left join this_run
        on
            earlier.account_id = this_run.account_id
            and earlier.segment_key = this_run.segment_key
    where
        this_run.account_id is null
        and this_run_summary.this_run_rows > 0

),

final as (

    select
        as_of.as_of_date,
        cast(as_of.as_of_date_source as {{ dbt.type_string() }})
            as as_of_date_source,
        as_of.is_inferred,
        cast(as_of.future_dated_usage_rows as bigint)
            as future_dated_usage_rows,
        week_summary.last_week_end_date,
        week_summary.is_open_period,
        {{ 'true' if flags.FULL_REFRESH else 'false' }} as is_full_refresh,
        (
            earlier_summary.previous_published_as_of_date is not null
            and not {{ 'true' if flags.FULL_REFRESH else 'false' }}
        ) as is_incremental,
        this_run_summary.this_run_rows > 0 as is_published_by_this_run,
        cast(confirmed_summary.publication_number as integer)
            as publication_number,
        cast(confirmed_summary.published_rows as bigint) as published_rows,
        earlier_summary.previous_published_as_of_date,
        cast(
            {{ dbt.datediff(
                'earlier_summary.previous_published_as_of_date',
                'as_of.as_of_date', 'day') }} as integer
        ) as days_added,
        cast(entries.segment_entries as bigint) as segment_entries,
        cast(exits.segment_exits as bigint) as segment_exits,
        this_run_summary.is_rules_change,
        this_run_summary.is_indicators_change
    from as_of
    cross join week_summary
    cross join this_run_summary
    cross join confirmed_summary
    cross join earlier_summary
    cross join entries
    cross join exits

)

select * from final
