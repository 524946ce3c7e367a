{#-
    The only model reading raw accounts: raw values as text, parsed values
    and the rejection reason of every row (null = clean). Rules, first broken
    one wins: null_key, unparseable_date, invalid_number, after_as_of_date,
    orphan_csm_id, duplicate_key. Reads stg_raw__csms (clean CSM keys) for
    the orphan check, made only when stg_raw__csms has rows.
-#}
with

source as (

    select * from {{ source('raw', 'accounts') }}

),

csms as (

    select csm_id from {{ ref('stg_raw__csms') }}

),

-- orphan_csm_id is only checked when there is a csms table to check
-- against: an export without CSMs keeps the accounts' csm_id.
csms_loaded as (

    select count(*) > 0 as has_csms from csms

),

country_synonyms as (

    select
        raw_value,
        canonical_value
    from {{ ref('enum_synonyms') }}
    where domain = 'country'

),

raw_text as (

    select
        {{ staging_raw_text('account_id') }} as raw_account_id,
        {{ staging_raw_text('account_name') }} as raw_account_name,
        {{ staging_raw_text('industry') }} as raw_industry,
        {{ staging_raw_text('country') }} as raw_country,
        {{ staging_raw_text('employee_count') }} as raw_employee_count,
        {{ staging_raw_text('created_at') }} as raw_created_at,
        {{ staging_raw_text('csm_id') }} as raw_csm_id
    from source

),

parsed as (

    select
        raw_text.*,
        lower({{ staging_trimmed('raw_account_id') }}) as account_id,
        {{ staging_trimmed('raw_account_name') }} as account_name,
        {{ staging_trimmed('raw_industry') }} as industry,
        coalesce(
            country_synonyms.canonical_value,
            upper({{ staging_trimmed('raw_country') }})
        ) as country,
        cast(
            round({{ staging_try_cast(
                staging_trimmed('raw_employee_count'), 'decimal(18, 4)') }}, 0)
            as integer
        ) as employee_count,
        {{ staging_try_cast(
            staging_trimmed('raw_created_at'), 'timestamp') }} as created_at,
        lower({{ staging_trimmed('raw_csm_id') }}) as csm_id
    from raw_text
    left join country_synonyms
        on
            lower({{ staging_trimmed('raw_text.raw_country') }})
            = country_synonyms.raw_value

),

checked as (

    select
        parsed.*,
        case
            when parsed.account_id is null then 'null_key'
            when parsed.created_at is null then 'unparseable_date'
            when {{ staging_is_bad_integer('parsed.raw_employee_count') }}
                then 'invalid_number'
            when cast(parsed.created_at as date) > {{ as_of_date() }}
                then 'after_as_of_date'
            when
                parsed.csm_id is not null
                and csms.csm_id is null
                and csms_loaded.has_csms
                then 'orphan_csm_id'
        end as row_rejection_reason
    from parsed
    left join csms
        on parsed.csm_id = csms.csm_id
    cross join csms_loaded

),

ranked as (

    select
        *,
        row_number() over (
            partition by account_id, row_rejection_reason
            order by
                account_name nulls last,
                industry nulls last,
                country nulls last,
                employee_count nulls last,
                created_at nulls last,
                csm_id nulls last,
                raw_account_id nulls last,
                raw_account_name nulls last,
                raw_industry nulls last,
                raw_country nulls last,
                raw_employee_count nulls last,
                raw_created_at nulls last,
                raw_csm_id nulls last
        ) as copy_number,
        count(*) over (
            partition by
                raw_account_id,
                raw_account_name,
                raw_industry,
                raw_country,
                raw_employee_count,
                raw_created_at,
                raw_csm_id
        ) as identical_rows
    from checked

),

final as (

    select
        account_id,
        account_name,
        industry,
        country,
        employee_count,
        created_at,
        csm_id,
        coalesce(
            row_rejection_reason,
            case when copy_number > 1 then 'duplicate_key' end
        ) as rejection_reason,
        (
            row_rejection_reason is null
            and copy_number > 1
            and identical_rows > 1
        ) as is_exact_duplicate,
        raw_account_id,
        raw_account_name,
        raw_industry,
        raw_country,
        raw_employee_count,
        raw_created_at,
        raw_csm_id
    from ranked

)

select * from final
