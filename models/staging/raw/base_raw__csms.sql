{#-
    The only model reading raw csms: raw values as text, parsed values and
    the rejection reason of every row (null = clean). stg_raw__csms and
    stg_raw__csms__quarantine split it. Rules, first broken one wins:
    null_key, invalid_number, duplicate_key.
-#}
with

source as (

    select * from {{ source('raw', 'csms') }}

),

raw_text as (

    select
        {{ staging_raw_text('csm_id') }} as raw_csm_id,
        {{ staging_raw_text('csm_name') }} as raw_csm_name,
        {{ staging_raw_text('max_accounts') }} as raw_max_accounts
    from source

),

parsed as (

    select
        raw_csm_id,
        raw_csm_name,
        raw_max_accounts,
        lower({{ staging_trimmed('raw_csm_id') }}) as csm_id,
        {{ staging_trimmed('raw_csm_name') }} as csm_name,
        cast(
            round({{ staging_try_cast(
                staging_trimmed('raw_max_accounts'), 'decimal(18, 4)') }}, 0)
            as integer
        ) as max_accounts,
        case
            when lower({{ staging_trimmed('raw_csm_id') }}) is null
                then 'null_key'
            when {{ staging_is_bad_integer('raw_max_accounts') }}
                then 'invalid_number'
        end as row_rejection_reason
    from raw_text

),

ranked as (

    select
        *,
        row_number() over (
            partition by csm_id, row_rejection_reason
            order by
                csm_name nulls last,
                max_accounts nulls last,
                raw_csm_id nulls last,
                raw_csm_name nulls last,
                raw_max_accounts nulls last
        ) as copy_number,
        count(*) over (
            partition by raw_csm_id, raw_csm_name, raw_max_accounts
        ) as identical_rows
    from parsed

),

final as (

    select
        csm_id,
        csm_name,
        max_accounts,
        coalesce(
            row_rejection_reason,
            case when copy_number > 1 then 'duplicate_key' end
        ) as rejection_reason,
        (
            row_rejection_reason is null
            and copy_number > 1
            and identical_rows > 1
        ) as is_exact_duplicate,
        raw_csm_id,
        raw_csm_name,
        raw_max_accounts
    from ranked

)

select * from final
