{#-
    The only model reading raw support_tickets: raw values as text, parsed
    values and the rejection reason of every row (null = clean). Rules,
    first broken one wins: null_key, unparseable_date, unknown_priority,
    score_out_of_range (csat, when given, must be a whole number 1-5),
    end_before_start (closed before opened), after_as_of_date (opened
    after the as-of date), orphan_account_id, duplicate_key. A closing
    recorded after the as-of date has not happened yet: closed_at and csat
    are blanked (the ticket is still open on the as-of date).
-#}
with

source as (

    select * from {{ source('raw', 'support_tickets') }}

),

accounts as (

    select account_id from {{ ref('stg_raw__accounts') }}

),

ticket_priority_synonyms as (

    select
        raw_value,
        canonical_value
    from {{ ref('enum_synonyms') }}
    where domain = 'ticket_priority'

),

raw_text as (

    select
        {{ staging_raw_text('ticket_id') }} as raw_ticket_id,
        {{ staging_raw_text('account_id') }} as raw_account_id,
        {{ staging_raw_text('opened_at') }} as raw_opened_at,
        {{ staging_raw_text('closed_at') }} as raw_closed_at,
        {{ staging_raw_text('priority') }} as raw_priority,
        {{ staging_raw_text('csat') }} as raw_csat
    from source

),

parsed as (

    select
        raw_text.*,
        lower({{ staging_trimmed('raw_ticket_id') }}) as ticket_id,
        lower({{ staging_trimmed('raw_account_id') }}) as account_id,
        {{ staging_try_cast(
            staging_trimmed('raw_opened_at'), 'timestamp') }} as opened_at,
        {{ staging_try_cast(
            staging_trimmed('raw_closed_at'), 'timestamp') }} as closed_at,
        coalesce(
            ticket_priority_synonyms.canonical_value,
            lower({{ staging_trimmed('raw_priority') }})
        ) as priority,
        cast(
            round({{ staging_try_cast(
                staging_trimmed('raw_csat'), 'decimal(18, 4)') }}, 0)
            as integer
        ) as csat
    from raw_text
    left join ticket_priority_synonyms
        on
            lower({{ staging_trimmed('raw_text.raw_priority') }})
            = ticket_priority_synonyms.raw_value

),

checked as (

    select
        parsed.*,
        case
            when parsed.ticket_id is null then 'null_key'
            when
                parsed.opened_at is null
                or (
                    {{ staging_trimmed('parsed.raw_closed_at') }} is not null
                    and parsed.closed_at is null
                )
                then 'unparseable_date'
            when
                parsed.priority is null
                or parsed.priority not in ('low', 'normal', 'high', 'urgent')
                then 'unknown_priority'
            when
                {{ staging_is_bad_integer('parsed.raw_csat', 1) }}
                or parsed.csat > 5
                then 'score_out_of_range'
            when parsed.closed_at < parsed.opened_at then 'end_before_start'
            when cast(parsed.opened_at as date) > {{ as_of_date() }}
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
            partition by ticket_id, row_rejection_reason
            order by
                account_id nulls last,
                opened_at nulls last,
                closed_at nulls last,
                priority nulls last,
                csat nulls last,
                raw_ticket_id nulls last,
                raw_account_id nulls last,
                raw_opened_at nulls last,
                raw_closed_at nulls last,
                raw_priority nulls last,
                raw_csat nulls last
        ) as copy_number,
        count(*) over (
            partition by
                raw_ticket_id,
                raw_account_id,
                raw_opened_at,
                raw_closed_at,
                raw_priority,
                raw_csat
        ) as identical_rows
    from checked

),

final as (

    select
        ticket_id,
        account_id,
        opened_at,
        case
            when cast(closed_at as date) > {{ as_of_date() }} then null
            else closed_at
        end as closed_at,
        priority,
        case
            when cast(closed_at as date) > {{ as_of_date() }} then null
            else csat
        end as csat,
        coalesce(
            row_rejection_reason,
            case when copy_number > 1 then 'duplicate_key' end
        ) as rejection_reason,
        (
            row_rejection_reason is null
            and copy_number > 1
            and identical_rows > 1
        ) as is_exact_duplicate,
        raw_ticket_id,
        raw_account_id,
        raw_opened_at,
        raw_closed_at,
        raw_priority,
        raw_csat
    from ranked

)

select * from final
