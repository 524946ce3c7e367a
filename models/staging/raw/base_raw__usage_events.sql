{#-
    The only model reading raw usage_events: raw values as text, parsed
    values and the rejection reason of every row (null = clean). Rules,
    first broken one wins: null_key, unparseable_date, invalid_number
    (quantity, when given, must be a whole number >= 1), unknown_event_name,
    after_as_of_date (the event's day is after the as-of date),
    orphan_account_id, orphan_user_id (a non-empty user_id not in
    stg_raw__users; checked only when stg_raw__users has rows),
    duplicate_key. The optional column quantity may be absent from the
    file (raw.usage_events then shows it null); absent or empty means 1.
-#}
{%- set source_columns = [
    'event_id', 'account_id', 'user_id', 'event_name', 'occurred_at',
    'quantity',
] -%}
{%- set raw_columns = [] -%}
{%- for column in source_columns -%}
    {%- do raw_columns.append('raw_' ~ column) -%}
{%- endfor -%}
{#- The key as staging compares it: trimmed, blank as null, lower case. -#}
{%- set normalised_event_id =
    'lower(' ~ staging_trimmed(staging_raw_text('event_id')) ~ ')' -%}
{%- set copy_window -%}
    (
            partition by event_id
            order by
                account_id nulls last,
                user_id nulls last,
                event_name nulls last,
                occurred_at nulls last,
                quantity nulls last,
                raw_event_id nulls last,
                raw_account_id nulls last,
                raw_user_id nulls last,
                raw_event_name nulls last,
                raw_occurred_at nulls last,
                raw_quantity nulls last
        )
{%- endset -%}
{#-
    Parsing and row checks, written once and used twice below: for every
    row, and again for the few rows whose key repeats (ordered as copies),
    each over its own read of the source. No large CTE is referenced twice:
    DuckDB materializes such a CTE whole, here every row with its raw text
    (13 GB of spill at 100,000 accounts), before reading it back.
-#}
{%- set checked_columns -%}
        parsed.*,
        case
            when parsed.event_id is null then 'null_key'
            when parsed.occurred_at is null then 'unparseable_date'
            when {{ staging_is_bad_integer('parsed.raw_quantity', 1) }}
                then 'invalid_number'
            when event_catalog.event_name is null then 'unknown_event_name'
            when
                cast(parsed.occurred_at as date) > as_of.as_of_date
                and cast(parsed.occurred_at as date) > as_of.future_dated_after
                then 'future_dated'
            when cast(parsed.occurred_at as date) > as_of.as_of_date
                then 'after_as_of_date'
            when accounts.account_id is null then 'orphan_account_id'
            when
                parsed.user_id is not null
                and users.user_id is null
                and users_loaded.has_users
                then 'orphan_user_id'
        end as row_rejection_reason
{%- endset -%}
{%- set checked_joins -%}
    left join event_catalog
        on parsed.event_name = event_catalog.event_name
    left join accounts
        on parsed.account_id = accounts.account_id
    left join users
        on parsed.user_id = users.user_id
    cross join users_loaded
    cross join as_of
{%- endset -%}
{%- set parsed_select -%}
    select
        *,
        lower({{ staging_trimmed('raw_event_id') }}) as event_id,
        lower({{ staging_trimmed('raw_account_id') }}) as account_id,
        lower({{ staging_trimmed('raw_user_id') }}) as user_id,
        lower({{ staging_trimmed('raw_event_name') }}) as event_name,
        {{ staging_timestamp('source_occurred_at') }} as occurred_at,
        coalesce(
            cast(
                round({{ staging_try_cast(
                    staging_trimmed('raw_quantity'), 'decimal(18, 4)') }}, 0)
                as integer
            ),
            1
        ) as quantity
{%- endset -%}
{%- set ranked_columns = raw_columns + [
    'event_id', 'account_id', 'user_id', 'event_name', 'occurred_at',
    'quantity', 'row_rejection_reason',
] -%}
{#- Rows without a repeated key make the text of occurred_at only when
    rejected (the only rows that keep it). -#}
{%- set unrepeated_columns = [] -%}
{%- for column in ranked_columns -%}
    {%- if column == 'raw_occurred_at' -%}
        {%- set lazy_text -%}
case
            when row_rejection_reason is not null
                then {{ staging_raw_text('source_occurred_at') }}
        end as raw_occurred_at
        {%- endset -%}
        {%- do unrepeated_columns.append(lazy_text) -%}
    {%- else -%}
        {%- do unrepeated_columns.append(column) -%}
    {%- endif -%}
{%- endfor %}
with

-- The raw file is read three times, each import CTE once (a CTE read twice
-- would be materialized whole): every row, the key column alone, and the
-- rows of repeated keys.
source as (

    select * from {{ source('raw', 'usage_events') }}

),

source_keys as (

    select event_id from {{ source('raw', 'usage_events') }}

),

source_repeated as (

    select * from {{ source('raw', 'usage_events') }}

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

event_catalog as (

    select event_name from {{ ref('event_catalog') }}

),

-- The as-of date and the future-dated bound (one row), joined rather than
-- read as scalar subqueries: DuckDB plans those as a nested-loop join over
-- every row (5 CPU-s at 100,000 accounts).
as_of as (

    select
        as_of_date,
        future_dated_after
    from {{ ref('stg_raw__as_of_date') }}

),

normalised_keys as (

    select {{ normalised_event_id }} as event_id
    from source_keys

),

repeated_key_hashes as (

    -- Hashes of the keys that occur more than once in the file, clean or
    -- not: one grouped pass over a number per row (grouping the text keys
    -- themselves spilled gigabytes at 100,000 accounts). Only rows with
    -- these hashes can be duplicate_key rows; a hash shared by different
    -- keys only sends a few more rows to the copy ordering, which compares
    -- the keys themselves. Null keys are grouped too (their hash is a
    -- value): they are null_key rows whatever their copies, and filtering
    -- them out first evaluated the key's normalisation twice per row
    -- (10 s of 30 at 100,000 accounts).
    select {{ key_hash('event_id') }} as key_hash
    from normalised_keys
    group by 1
    having count(*) > 1

),

raw_text as (

    -- occurred_at stays as the file types it: its text is made below only
    -- for rejected rows (casting 112.6 M timestamps to text took 7 s at
    -- 100,000 accounts), and staging_timestamp parses a typed one directly.
    select
        {% for column in source_columns if column != 'occurred_at' -%}
            {{ staging_raw_text(column) }} as raw_{{ column }},
        {% endfor -%}
        occurred_at as source_occurred_at
    from source

),

parsed as (

    {{ parsed_select }}
    from raw_text

),

checked as (

    select
        {{ checked_columns }},
        repeated_key_hashes.key_hash is not null as has_repeated_key
    from parsed
    {{ checked_joins }}
    left join repeated_key_hashes
        on
            {{ key_hash('parsed.event_id') }}
            = repeated_key_hashes.key_hash

),

repeated_raw_text as (

    -- The rows of repeated keys, read again from the source (a handful of
    -- rows: the semi join runs before any parsing).
    select
        {% for column in source_columns -%}
            {{ staging_raw_text(column) }} as raw_{{ column }},
        {% endfor -%}
        occurred_at as source_occurred_at
    from source_repeated
    where
        {{ key_hash(normalised_event_id) }}
        in (select repeated_key_hashes.key_hash from repeated_key_hashes)

),

repeated_parsed as (

    {{ parsed_select }}
    from repeated_raw_text

),

repeated_checked as (

    select
        {{ checked_columns }}
    from repeated_parsed as parsed
    {{ checked_joins }}

),

copies as (

    -- Clean rows of repeated keys: the copies to order. A key repeated by
    -- rejected rows only, or with a single clean row, gets copy 1 here.
    select *
    from repeated_checked
    where row_rejection_reason is null

),

ranked_copies as (

    -- Exact duplicates: raw-identical rows share event_id, and the copy
    -- order sorts by every raw column, so they are adjacent in that order;
    -- comparing each row with its neighbours (lag, lead) replaces a second
    -- window partitioned by all raw columns.
    select
        *,
        row_number() over {{ copy_window }} as copy_number,
        (
            (
                {% for column in raw_columns -%}
                    lag({{ column }}) over {{ copy_window }}
                    is not distinct from {{ column }}
                    {%- if not loop.last %} and{% endif %}
                {% endfor -%}
            )
            or (
                {% for column in raw_columns -%}
                    lead({{ column }}) over {{ copy_window }}
                    is not distinct from {{ column }}
                    {%- if not loop.last %} and{% endif %}
                {% endfor -%}
            )
        ) as has_identical_copy
    from copies

),

ranked as (

    select
        {{ unrepeated_columns | join(',\n        ') }},
        1 as copy_number,
        false as has_identical_copy
    from checked
    where row_rejection_reason is not null or not has_repeated_key

    union all

    select
        {{ ranked_columns | join(',\n        ') }},
        copy_number,
        has_identical_copy
    from ranked_copies

),

reasoned as (

    select
        *,
        coalesce(
            row_rejection_reason,
            case when copy_number > 1 then 'duplicate_key' end
        ) as rejection_reason,
        (
            row_rejection_reason is null
            and copy_number > 1
            and has_identical_copy
        ) as is_exact_duplicate
    from ranked

),

final as (

    -- Raw text is kept for rejected rows only (what the quarantine shows):
    -- on clean rows it equals the parsed values up to trimming and case,
    -- and storing it would double the size of the largest table.
    select
        event_id,
        account_id,
        user_id,
        event_name,
        occurred_at,
        quantity,
        rejection_reason,
        is_exact_duplicate,
        {% for column in raw_columns -%}
            case
                when rejection_reason is not null then {{ column }}
            end as {{ column }}
            {%- if not loop.last %},{% endif %}
        {% endfor %}
    from reasoned

)

select * from final
