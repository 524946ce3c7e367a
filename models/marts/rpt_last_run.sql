{#-
    One row about the run that built this warehouse, for the main and the
    scheduled command to print: the as-of date and where it came from, the
    future-dated guard, whether the run was incremental, and what it added
    compared with the previous publication of
    fct_segment_membership_published (new days of data, segment entries and
    exits, rule or indicator changes).
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

published as (

    select
        publication_number,
        published_as_of_date,
        dbt_invocation_id,
        account_id,
        segment_key,
        is_rules_change,
        is_indicators_change
    from {{ ref('fct_segment_membership_published') }}

),

latest_number as (

    select max(publication_number) as publication_number
    from published

),

latest as (

    select published.*
    from published
    inner join latest_number
        on published.publication_number = latest_number.publication_number

),

previous as (

    select published.*
    from published
    inner join latest_number
        on published.publication_number = latest_number.publication_number - 1

),

latest_summary as (

    select
        max(publication_number) as publication_number,
        max(published_as_of_date) as published_as_of_date,
        count(*) as published_rows,
        coalesce(
            max(dbt_invocation_id) = '{{ invocation_id }}', false
        ) as is_published_by_this_run,
        coalesce(max(case when is_rules_change then 1 else 0 end), 0) = 1
            as is_rules_change,
        coalesce(max(case when is_indicators_change then 1 else 0 end), 0)
        = 1 as is_indicators_change
    from latest

),

previous_summary as (

    select max(published_as_of_date) as previous_published_as_of_date
    from previous

),

entries as (

    select count(*) as segment_entries
    from latest
    left join previous
        on
            latest.account_id = previous.account_id
            and latest.segment_key = previous.segment_key
    where previous.account_id is null

),

exits as (

    select count(*) as segment_exits
    from previous
    left join latest
        on
            previous.account_id = latest.account_id
            and previous.segment_key = latest.segment_key
    where latest.account_id is null

),

final as (

    select
        as_of.as_of_date,
        cast(as_of.as_of_date_source as {{ dbt.type_string() }})
            as as_of_date_source,
        as_of.is_inferred,
        cast(as_of.future_dated_usage_rows as bigint)
            as future_dated_usage_rows,
        {{ 'true' if flags.FULL_REFRESH else 'false' }} as is_full_refresh,
        (
            previous_summary.previous_published_as_of_date is not null
            and not {{ 'true' if flags.FULL_REFRESH else 'false' }}
        ) as is_incremental,
        latest_summary.is_published_by_this_run,
        cast(latest_summary.publication_number as integer)
            as publication_number,
        latest_summary.published_as_of_date,
        cast(latest_summary.published_rows as bigint) as published_rows,
        previous_summary.previous_published_as_of_date,
        cast(
            {{ dbt.datediff(
                'previous_summary.previous_published_as_of_date',
                'as_of.as_of_date', 'day') }} as integer
        ) as days_added,
        cast(entries.segment_entries as bigint) as segment_entries,
        cast(exits.segment_exits as bigint) as segment_exits,
        latest_summary.is_rules_change,
        latest_summary.is_indicators_change
    from as_of
    cross join latest_summary
    cross join previous_summary
    cross join entries
    cross join exits

)

select * from final
