{#-
    The only model reading raw nps_responses: raw values as text, parsed
    values and the rejection reason of every row (null = clean). Rules,
    first broken one wins: null_key, unparseable_date, score_out_of_range
    (score missing, not a whole number or outside 0-10), after_as_of_date,
    orphan_account_id, orphan_user_id (a non-empty user_id not in
    stg_raw__users; checked only when stg_raw__users has
    rows), duplicate_key.
-#}
with

source as (

    select * from {{ source('raw', 'nps_responses') }}

),

accounts as (

    select account_id from {{ ref('stg_raw__accounts') }}

),

users as (

    select user_id from {{ ref('stg_raw__users') }}

),

-- orphan_user_id is only checked when there is a users table to check
-- against: an export without users keeps its user ids.
users_loaded as (

    select count(*) > 0 as has_users from users

),

raw_text as (

    select
        {{ staging_raw_text('response_id') }} as raw_response_id,
        {{ staging_raw_text('account_id') }} as raw_account_id,
        {{ staging_raw_text('user_id') }} as raw_user_id,
        {{ staging_raw_text('responded_at') }} as raw_responded_at,
        {{ staging_raw_text('score') }} as raw_score
    from source

),

parsed as (

    select
        *,
        lower({{ staging_trimmed('raw_response_id') }}) as response_id,
        lower({{ staging_trimmed('raw_account_id') }}) as account_id,
        lower({{ staging_trimmed('raw_user_id') }}) as user_id,
        {{ staging_try_cast(
            staging_trimmed('raw_responded_at'), 'timestamp') }} as responded_at,
        cast(
            round({{ staging_try_cast(
                staging_trimmed('raw_score'), 'decimal(18, 4)') }}, 0)
            as integer
        ) as score
    from raw_text

),

checked as (

    select
        parsed.*,
        case
            when parsed.response_id is null then 'null_key'
            when parsed.responded_at is null then 'unparseable_date'
            when
                {{ staging_trimmed('parsed.raw_score') }} is null
                or {{ staging_is_bad_integer('parsed.raw_score', 0) }}
                or parsed.score > 10
                then 'score_out_of_range'
            when cast(parsed.responded_at as date) > {{ as_of_date() }}
                then 'after_as_of_date'
            when accounts.account_id is null then 'orphan_account_id'
            when
                parsed.user_id is not null
                and users.user_id is null
                and users_loaded.has_users
                then 'orphan_user_id'
        end as row_rejection_reason
    from parsed
    left join accounts
        on parsed.account_id = accounts.account_id
    left join users
        on parsed.user_id = users.user_id
    cross join users_loaded

),

ranked as (

    select
        *,
        row_number() over (
            partition by response_id, row_rejection_reason
            order by
                account_id nulls last,
                user_id nulls last,
                responded_at nulls last,
                score nulls last,
                raw_response_id nulls last,
                raw_account_id nulls last,
                raw_user_id nulls last,
                raw_responded_at nulls last,
                raw_score nulls last
        ) as copy_number,
        count(*) over (
            partition by
                raw_response_id,
                raw_account_id,
                raw_user_id,
                raw_responded_at,
                raw_score
        ) as identical_rows
    from checked

),

final as (

    select
        response_id,
        account_id,
        user_id,
        responded_at,
        score,
        coalesce(
            row_rejection_reason,
            case when copy_number > 1 then 'duplicate_key' end
        ) as rejection_reason,
        (
            row_rejection_reason is null
            and copy_number > 1
            and identical_rows > 1
        ) as is_exact_duplicate,
        raw_response_id,
        raw_account_id,
        raw_user_id,
        raw_responded_at,
        raw_score
    from ranked

)

select * from final
