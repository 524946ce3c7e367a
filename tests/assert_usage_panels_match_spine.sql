{#-
    The incremental usage panels keep exactly the rows of the weekly spine:
    int_account_usage_weekly one row per row of int_account_weeks, and
    int_account_feature_usage_weekly one per row of the spine and key
    feature of the event_catalog seed. A row missing (an as-of date not
    recomputed) or left over (the previous run's open date, an account
    removed, a key feature dropped) is returned with the panel it concerns.
    Values are not checked here: e2e/test_schedule.py compares scheduled
    runs with full builds. A failure means an incremental run went wrong:
    rebuild with `dbt build --full-refresh --select int_usage_daily+`.
-#}
with

spine as (

    select
        account_id,
        as_of_date
    from {{ ref('int_account_weeks') }}

),

key_features as (

    select event_name
    from {{ ref('event_catalog') }}
    where is_key_feature = true

),

usage_panel as (

    select
        account_id,
        as_of_date
    from {{ ref('int_account_usage_weekly') }}

),

feature_panel as (

    select
        account_id,
        as_of_date,
        event_name
    from {{ ref('int_account_feature_usage_weekly') }}

),

spine_features as (

    select
        spine.account_id,
        spine.as_of_date,
        key_features.event_name
    from spine
    cross join key_features

),

usage_missing as (

    select
        account_id,
        as_of_date
    from spine
    except
    select
        account_id,
        as_of_date
    from usage_panel

),

usage_extra as (

    select
        account_id,
        as_of_date
    from usage_panel
    except
    select
        account_id,
        as_of_date
    from spine

),

feature_missing as (

    select
        account_id,
        as_of_date,
        event_name
    from spine_features
    except
    select
        account_id,
        as_of_date,
        event_name
    from feature_panel

),

feature_extra as (

    select
        account_id,
        as_of_date,
        event_name
    from feature_panel
    except
    select
        account_id,
        as_of_date,
        event_name
    from spine_features

),

final as (

    select
        'int_account_usage_weekly' as panel,
        'missing' as problem,
        account_id,
        as_of_date,
        cast(null as {{ dbt.type_string() }}) as event_name
    from usage_missing
    union all
    select
        'int_account_usage_weekly' as panel,
        'not in the spine' as problem,
        account_id,
        as_of_date,
        cast(null as {{ dbt.type_string() }}) as event_name
    from usage_extra
    union all
    select
        'int_account_feature_usage_weekly' as panel,
        'missing' as problem,
        account_id,
        as_of_date,
        event_name
    from feature_missing
    union all
    select
        'int_account_feature_usage_weekly' as panel,
        'not in the spine' as problem,
        account_id,
        as_of_date,
        event_name
    from feature_extra

)

select * from final
