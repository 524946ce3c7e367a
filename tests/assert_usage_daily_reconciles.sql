{#-
    Reconciliation of the incremental daily usage rollup: int_usage_daily
    must equal the staged usage rolled up per account, user, event and day
    (except all, both ways). Returns the rows that differ and on which side
    they are. A failure means late or corrected usage did not reach the
    rollup: rebuild it with
    `dbt build --full-refresh --select int_usage_daily+`.
-#}
with

staged as (

    select
        account_id,
        user_id,
        event_name,
        cast(occurred_at as date) as activity_date,
        cast(sum(quantity) as bigint) as event_count
    from {{ ref('stg_raw__usage_events') }}
    group by 1, 2, 3, 4

),

rolled_up as (

    select
        account_id,
        user_id,
        event_name,
        activity_date,
        event_count
    from {{ ref('int_usage_daily') }}

),

only_staged as (

    select * from staged
    except all
    select * from rolled_up

),

only_rolled_up as (

    select * from rolled_up
    except all
    select * from staged

),

final as (

    select
        'missing_from_int_usage_daily' as problem,
        only_staged.account_id,
        only_staged.user_id,
        only_staged.event_name,
        only_staged.activity_date,
        only_staged.event_count
    from only_staged
    union all
    select
        'not_in_staged_usage' as problem,
        only_rolled_up.account_id,
        only_rolled_up.user_id,
        only_rolled_up.event_name,
        only_rolled_up.activity_date,
        only_rolled_up.event_count
    from only_rolled_up

)

select * from final
