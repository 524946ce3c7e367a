{#-
    The only model reading raw users: raw values as text, parsed values and
    the rejection reason of every row (null = clean). Rules, first broken
    one wins: null_key, unparseable_date, end_before_start,
    after_as_of_date, orphan_account_id, duplicate_key. A deactivation
    recorded after the as-of date has not happened yet: deactivated_at is
    blanked. Reads stg_raw__accounts for the orphan check.
-#}
with

source as (

    select * from {{ source('raw', 'users') }}

),

accounts as (

    select account_id from {{ ref('stg_raw__accounts') }}

),

raw_text as (

    select
        {{ staging_raw_text('user_id') }} as raw_user_id,
        {{ staging_raw_text('account_id') }} as raw_account_id,
        {{ staging_raw_text('email') }} as raw_email,
        {{ staging_raw_text('role') }} as raw_role,
        {{ staging_raw_text('created_at') }} as raw_created_at,
        {{ staging_raw_text('deactivated_at') }} as raw_deactivated_at
    from source

),

parsed as (

    select
        *,
        lower({{ staging_trimmed('raw_user_id') }}) as user_id,
        lower({{ staging_trimmed('raw_account_id') }}) as account_id,
        lower({{ staging_trimmed('raw_email') }}) as email,
        -- `role` is the interface's column name (a keyword in some dialects).
        lower({{ staging_trimmed('raw_role') }}) as role,  -- noqa: RF04
        {{ staging_try_cast(
            staging_trimmed('raw_created_at'), 'timestamp') }} as created_at,
        {{ staging_try_cast(
            staging_trimmed('raw_deactivated_at'), 'timestamp') }} as deactivated_at
    from raw_text

),

checked as (

    select
        parsed.*,
        case
            when parsed.user_id is null then 'null_key'
            when
                parsed.created_at is null
                or (
                    {{ staging_trimmed('parsed.raw_deactivated_at') }}
                    is not null
                    and parsed.deactivated_at is null
                )
                then 'unparseable_date'
            when parsed.deactivated_at < parsed.created_at
                then 'end_before_start'
            when cast(parsed.created_at as date) > {{ as_of_date() }}
                then 'after_as_of_date'
            when accounts.account_id is null then 'orphan_account_id'
        end as row_rejection_reason
    from parsed
    left join accounts
        on parsed.account_id = accounts.account_id

),

ranked as (

    select
        *,
        row_number() over (
            partition by user_id, row_rejection_reason
            order by
                account_id nulls last,
                email nulls last,
                role nulls last,
                created_at nulls last,
                deactivated_at nulls last,
                raw_user_id nulls last,
                raw_account_id nulls last,
                raw_email nulls last,
                raw_role nulls last,
                raw_created_at nulls last,
                raw_deactivated_at nulls last
        ) as copy_number,
        count(*) over (
            partition by
                raw_user_id,
                raw_account_id,
                raw_email,
                raw_role,
                raw_created_at,
                raw_deactivated_at
        ) as identical_rows
    from checked

),

final as (

    select
        user_id,
        account_id,
        email,
        role,
        created_at,
        case
            when cast(deactivated_at as date) > {{ as_of_date() }} then null
            else deactivated_at
        end as deactivated_at,
        coalesce(
            row_rejection_reason,
            case when copy_number > 1 then 'duplicate_key' end
        ) as rejection_reason,
        (
            row_rejection_reason is null
            and copy_number > 1
            and identical_rows > 1
        ) as is_exact_duplicate,
        raw_user_id,
        raw_account_id,
        raw_email,
        raw_role,
        raw_created_at,
        raw_deactivated_at
    from ranked

)

select * from final
