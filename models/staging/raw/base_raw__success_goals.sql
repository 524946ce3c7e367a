{#-
    The only model reading raw success_goals: raw values as text, parsed
    values and the rejection reason of every row (null = clean). Rules,
    first broken one wins: null_key, unparseable_date (start_date and
    due_date are required), invalid_number (target_value missing, not a
    number or negative), unknown_metric (not active_users,
    seat_utilisation or event:<event in the event_catalog seed>),
    end_before_start (due_date before start_date), after_as_of_date
    (start_date after the as-of date), orphan_account_id, duplicate_key.
-#}
with

source as (

    select * from {{ source('raw', 'success_goals') }}

),

accounts as (

    select account_id from {{ ref('stg_raw__accounts') }}

),

event_catalog as (

    select event_name from {{ ref('event_catalog') }}

),

raw_text as (

    select
        {{ staging_raw_text('goal_id') }} as raw_goal_id,
        {{ staging_raw_text('account_id') }} as raw_account_id,
        {{ staging_raw_text('metric') }} as raw_metric,
        {{ staging_raw_text('target_value') }} as raw_target_value,
        {{ staging_raw_text('start_date') }} as raw_start_date,
        {{ staging_raw_text('due_date') }} as raw_due_date,
        {{ staging_raw_text('description') }} as raw_description
    from source

),

parsed as (

    select
        *,
        lower({{ staging_trimmed('raw_goal_id') }}) as goal_id,
        lower({{ staging_trimmed('raw_account_id') }}) as account_id,
        lower({{ staging_trimmed('raw_metric') }}) as metric,
        {{ staging_try_cast(
            staging_trimmed('raw_target_value'), 'decimal(18, 4)') }} as target_value,
        {{ staging_try_cast(
            staging_trimmed('raw_start_date'), 'date') }} as start_date,
        {{ staging_try_cast(
            staging_trimmed('raw_due_date'), 'date') }} as due_date,
        {{ staging_trimmed('raw_description') }} as description
    from raw_text

),

checked as (

    select
        parsed.*,
        case
            when parsed.goal_id is null then 'null_key'
            when parsed.start_date is null or parsed.due_date is null
                then 'unparseable_date'
            when parsed.target_value is null or parsed.target_value < 0
                then 'invalid_number'
            when
                parsed.metric is null
                or (
                    parsed.metric not in ('active_users', 'seat_utilisation')
                    and event_catalog.event_name is null
                )
                then 'unknown_metric'
            when parsed.due_date < parsed.start_date then 'end_before_start'
            when parsed.start_date > {{ as_of_date() }} then 'after_as_of_date'
            when accounts.account_id is null then 'orphan_account_id'
        end as row_rejection_reason
    from parsed
    left join event_catalog
        on parsed.metric = {{ dbt.concat(
            ["'event:'", 'event_catalog.event_name']) }}
    left join accounts
        on parsed.account_id = accounts.account_id

),

ranked as (

    select
        *,
        row_number() over (
            partition by goal_id, row_rejection_reason
            order by
                account_id nulls last,
                metric nulls last,
                target_value nulls last,
                start_date nulls last,
                due_date nulls last,
                description nulls last,
                raw_goal_id nulls last,
                raw_account_id nulls last,
                raw_metric nulls last,
                raw_target_value nulls last,
                raw_start_date nulls last,
                raw_due_date nulls last,
                raw_description nulls last
        ) as copy_number,
        count(*) over (
            partition by
                raw_goal_id,
                raw_account_id,
                raw_metric,
                raw_target_value,
                raw_start_date,
                raw_due_date,
                raw_description
        ) as identical_rows
    from checked

),

final as (

    select
        goal_id,
        account_id,
        metric,
        target_value,
        start_date,
        due_date,
        description,
        coalesce(
            row_rejection_reason,
            case when copy_number > 1 then 'duplicate_key' end
        ) as rejection_reason,
        (
            row_rejection_reason is null
            and copy_number > 1
            and identical_rows > 1
        ) as is_exact_duplicate,
        raw_goal_id,
        raw_account_id,
        raw_metric,
        raw_target_value,
        raw_start_date,
        raw_due_date,
        raw_description
    from ranked

)

select * from final
