{#-
    Reconciliation of the incremental daily usage rollup: int_usage_daily
    must equal the staged usage rolled up per account, user, event and day.
    Compared day by day through a fingerprint that needs no rollup of the
    staged side: for each day, the total of quantity and the total of
    quantity x hash(account, user, event). Both are sums, so summing the
    staged events directly gives the same figures as summing the rollup
    rows (event_count x hash): a row missing from the rollup, an extra row,
    a wrong count or a row moved to another account, user or event changes
    them (barring a hash collision). A group split into two rollup rows of
    the same key keeps them; the unique_combination test on int_usage_daily
    catches that. The check costs one streaming pass over each side, grouped
    by day only: rolling the staged events up per account, user, event and
    day first (the rollup's own work) ran out of memory under the 3GB cap at
    100,000 accounts. Returns each day that differs, with both sides'
    figures. A failure means late or corrected usage did not reach the
    rollup: rebuild it with
    `dbt build --full-refresh --select int_usage_daily+`.
    Figures are compared for the days written since the test last passed
    (macros/test_passes.sql), on either side: a row of the rollup loaded
    since (int_usage_daily.loaded_at, activity_date), or a row staged since
    (base_raw__usage_events.loaded_at, staged_day; quarantined rows
    included, so a day whose clean rows all left staging is still read).
    Both sides replace whole days, so a day written on neither side is the
    one that passed. The days themselves are compared every time (each
    side's distinct days, one narrow pass): a day gone from staging but
    left in the rollup wrote nothing. At 100,000 accounts: 12.3 s for
    every day in the daily run of commit a70717d; `--vars
    '{data_tests_check_all_rows: true}'` compares every day.
-#}
{{ config(meta={'since_last_pass': true}) }}

{%- set written_days = partition_values_written_since_last_pass(
    [ref('int_usage_daily'), ref('base_raw__usage_events')],
    partition='activity_date',
    partition_columns=['activity_date', 'staged_day']) %}

with

staged_day_list as (

    select distinct cast(occurred_at as date) as activity_date
    from {{ ref('stg_raw__usage_events') }}

),

rolled_up_day_list as (

    select distinct activity_date
    from {{ ref('int_usage_daily') }}

),

staged_days as (

    select
        cast(occurred_at as date) as activity_date,
        sum(quantity) as event_count,
        sum({{ usage_weighted_hash('quantity') }}) as weighted_hash_sum
    from {{ ref('stg_raw__usage_events') }}
    where {{ partition_condition(
        'cast(occurred_at as date)', written_days,
        range_column='occurred_at') }}
    group by 1

),

rolled_up_days as (

    select
        activity_date,
        sum(event_count) as event_count,
        sum({{ usage_weighted_hash('event_count') }}) as weighted_hash_sum
    from {{ ref('int_usage_daily') }}
    where {{ partition_condition('activity_date', written_days) }}
    group by 1

),

final as (

    select
        coalesce(
            staged_day_list.activity_date, rolled_up_day_list.activity_date
        ) as activity_date,
        staged_days.event_count as staged_events,
        rolled_up_days.event_count as rolled_up_events,
        staged_days.weighted_hash_sum as staged_weighted_hash_sum,
        rolled_up_days.weighted_hash_sum as rolled_up_weighted_hash_sum
    from staged_day_list
    full outer join rolled_up_day_list
        on staged_day_list.activity_date = rolled_up_day_list.activity_date
    left join staged_days
        on staged_day_list.activity_date = staged_days.activity_date
    left join rolled_up_days
        on rolled_up_day_list.activity_date = rolled_up_days.activity_date
    where
        staged_day_list.activity_date is null
        or rolled_up_day_list.activity_date is null
        or staged_days.event_count <> rolled_up_days.event_count
        or staged_days.weighted_hash_sum <> rolled_up_days.weighted_hash_sum

)

select * from final
