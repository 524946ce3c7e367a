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

    Incremental on DuckDB (macros/usage_staging.sql; a table elsewhere).
    Every row carries its `staged_day` (the day of its parsed occurred_at)
    and the `staging_fingerprint` of that day when it was staged: the day's
    raw rows (count, sum of a hash per row) and what their checks read for
    that day (after the as-of date? after the future-dated bound? the event
    catalog, whether users are loaded, this model's code). Before its query
    an incremental run plans (plan_query below, logged as "N of M days to
    re-stage"): the days whose fingerprint changed or that are new, the
    days of stored rows whose account or user appeared (orphans that now
    have a parent) or vanished (clean rows that lost it), and the stored
    days with no raw row left. The query then re-stages those days and
    every copy of each key found on them, on whatever day it is (the copy
    order of a key needs all its copies; the other rows of those extra
    days are carried over as stored), and deletes the days that are gone.
    Every other day stays as stored: its raw rows and its context are the
    same, so its staging would be the same. `loaded_at` is when the run
    that staged a row started (the carried rows of a copy day keep
    theirs): the uniqueness test of stg_raw__usage_events reads only the
    keys staged since it last passed (macros/test_passes.sql). When more than half of the
    days are to be re-staged (a change of the code or the catalog changes
    all of them), the run stages every row as a full build does and
    replaces every day. `--full-refresh` stages everything. A change of a
    day that keeps the count and the sum of the row hashes (a 31-bit hash
    per row) is missed: see the README.
-#}
{{ config(**usage_staging_config()) }}
{{ usage_staging_check_stored(this) }}
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
{#- What decides a staged row besides its raw values and the context: this
    file and the expanded parsing and checks (macros included). Part of
    each day's fingerprint, so a change re-stages every day. -#}
{%- set staging_version = model_code_md5(
    parsed_select ~ checked_columns ~ checked_joins ~ copy_window
    ~ normalised_event_id) -%}
{%- set raw_row_print = row_print(source_columns | join(', ')) -%}
{#- The CTEs that read the context of the checks and fingerprint each day
    of the raw file: part of the model, and of the plan query below. -#}
{%- set context_ctes -%}
raw_days_source as (

    select
        {{ source_columns | join(',\n        ') }}
    from {{ source('raw', 'usage_events') }}

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

event_catalog_print as (

    select
        count(*) as catalog_rows,
        sum({{ row_print('event_name') }}) as catalog_hash
    from event_catalog

),

raw_days as (

    -- Per day of the raw file: its rows and the sum of their hashes.
    select
        {{ usage_staged_day(staging_timestamp('occurred_at')) }}
            as staged_day,
        count(*) as raw_rows,
        sum({{ raw_row_print }}) as raw_hash
    from raw_days_source
    group by 1

),

raw_day_fingerprints as (

    select
        raw_days.staged_day,
        {{ key_hash(
            'raw_days.raw_rows, raw_days.raw_hash,'
            ~ ' raw_days.staged_day > as_of.as_of_date,'
            ~ ' raw_days.staged_day > as_of.future_dated_after,'
            ~ ' users_loaded.has_users,'
            ~ ' event_catalog_print.catalog_rows,'
            ~ ' event_catalog_print.catalog_hash,'
            ~ " '" ~ staging_version ~ "'") }} as staging_fingerprint
    from raw_days
    cross join as_of
    cross join users_loaded
    cross join event_catalog_print

),
{%- endset -%}
{#- The plan of an incremental run, decided before its query (so that the
    days to re-stage are literals and the plan can fall back to a full
    re-staging): which days changed (fingerprint), and which hold rows
    whose account or user appeared or vanished. -#}
{%- set plan_query -%}
with

{{ context_ctes }}

stored_days as (

    select
        staged_day,
        max(staging_fingerprint) as staging_fingerprint
    from {{ this }}
    group by 1

),

stored_accounts as (

    -- Per account: did any row fail the account check (orphan), did any
    -- pass it (clean, orphan_user_id or duplicate_key rows).
    select
        account_id,
        bool_or(rejection_reason = 'orphan_account_id') as was_orphan,
        bool_or(
            rejection_reason is null
            or rejection_reason in ('orphan_user_id', 'duplicate_key')
        ) as was_known
    from {{ this }}
    where account_id is not null
    group by 1

),

stored_users as (

    select
        user_id,
        bool_or(rejection_reason = 'orphan_user_id') as was_orphan,
        bool_or(
            rejection_reason is null or rejection_reason = 'duplicate_key'
        ) as was_known
    from {{ this }}
    where user_id is not null
    group by 1

),

stored_parents as (

    select
        staged_day,
        account_id,
        user_id
    from {{ this }}

),

changed_days as (

    -- New days and days whose raw rows or context changed.
    select raw_day_fingerprints.staged_day
    from raw_day_fingerprints
    left join stored_days
        on raw_day_fingerprints.staged_day = stored_days.staged_day
    where
        stored_days.staged_day is null
        or stored_days.staging_fingerprint
        <> raw_day_fingerprints.staging_fingerprint

),

changed_accounts as (

    -- Orphans whose account arrived; accounts of rows that passed the
    -- check and are gone.
    select stored_accounts.account_id
    from stored_accounts
    left join accounts
        on stored_accounts.account_id = accounts.account_id
    where
        (stored_accounts.was_orphan and accounts.account_id is not null)
        or (stored_accounts.was_known and accounts.account_id is null)

),

changed_users as (

    select stored_users.user_id
    from stored_users
    cross join users_loaded
    left join users
        on stored_users.user_id = users.user_id
    where
        users_loaded.has_users
        and (
            (stored_users.was_orphan and users.user_id is not null)
            or (stored_users.was_known and users.user_id is null)
        )

),

parent_days as (

    select distinct stored_parents.staged_day
    from stored_parents
    where
        stored_parents.account_id in (
            select changed_accounts.account_id from changed_accounts
        )
        or stored_parents.user_id in (
            select changed_users.user_id from changed_users
        )

),

reload_days as (

    select staged_day from changed_days
    union
    select staged_day from parent_days

),

final as (

    select
        coalesce(
            raw_day_fingerprints.staged_day, stored_days.staged_day
        ) as staged_day,
        raw_day_fingerprints.staging_fingerprint,
        coalesce(
            raw_day_fingerprints.staged_day in (
                select reload_days.staged_day from reload_days
            ),
            false
        ) as is_reload,
        raw_day_fingerprints.staged_day is null as is_vanished
    from raw_day_fingerprints
    full outer join stored_days
        on raw_day_fingerprints.staged_day = stored_days.staged_day

)

select * from final order by staged_day
{%- endset -%}
{%- set planned = usage_staging_plan(plan_query) -%}
{%- set incremental_plan = planned is not none and planned.is_incremental -%}
{#- The days to re-stage, as literals: each read of the raw file and of the
    stored table below first keeps the range of those days (a filter DuckDB
    pushes into the scan: the row groups outside it are skipped), then the
    days themselves. As joins to a list computed in the query, the reads
    streamed every row (112.6 M) and took most of the run's 15 s at
    100,000 accounts. -#}
{%- set reload_day_list = usage_staging_reload_days(planned) -%}
{%- set raw_source = source('raw', 'usage_events') -%}
{%- set reload_ctes -%}
raw_reload_candidates as (

    select * from {{ raw_source }}
    where {{ usage_staging_raw_day_range(raw_source, reload_day_list) }}

),

stored_reload_keys as (

    select
        staged_day,
        event_id
    from {{ this }}
    where
        event_id is not null
        and {{ usage_staging_day_range('staged_day', reload_day_list) }}

),

reload_days as (

    {{ usage_staging_day_list(reload_day_list) }}

),

reload_rows as (

    -- Every raw row of the days to re-stage.
    -- Here and below, a filter of stored or raw rows by a small set of
    -- days or keys is written `coalesce(x in (select ...), false)`: DuckDB
    -- then plans a mark join, which hashes the small set and streams the
    -- large side. As a join or a semi join it misjudged the sizes and
    -- hashed the large side (every stored key: 23 s; every raw row: out
    -- of memory, at 100,000 accounts).
    select raw_reload_candidates.*
    from raw_reload_candidates
    where
        coalesce(
            {{ usage_staged_day(staging_timestamp(
                'raw_reload_candidates.occurred_at')) }} in (
                select reload_days.staged_day from reload_days
            ),
            false
        )

),

reload_keys as (

    -- Every key on a day to re-stage, raw (now) or stored (before).
    select {{ normalised_event_id }} as event_id
    from reload_rows
    union
    select stored_reload_keys.event_id
    from stored_reload_keys
    where
        coalesce(
            stored_reload_keys.staged_day in (
                select reload_days.staged_day from reload_days
            ),
            false
        )

),
{%- endset -%}
{#- The other days holding a copy of a key found on the days to re-stage
    (none, mostly): a second query of the plan, so that the model's query
    reads their rows by literal days too, or not at all. -#}
{%- set copy_query -%}
with

{{ reload_ctes }}

stored_copy_keys as (

    select
        staged_day,
        event_id
    from {{ this }}
    where event_id is not null

),

final as (

    select distinct stored_copy_keys.staged_day
    from stored_copy_keys
    where
        coalesce(
            stored_copy_keys.event_id in (
                select reload_keys.event_id from reload_keys
            ),
            false
        )
        and stored_copy_keys.staged_day not in (
            select reload_days.staged_day from reload_days
        )

)

select * from final order by staged_day
{%- endset -%}
{%- set copy_day_list = usage_staging_copy_days(copy_query)
    if incremental_plan and reload_day_list else [] -%}
{#- What the staging pipeline below reads: every raw row (a full build), or
    the rows to re-stage (an incremental run; a few days, read once). -#}
{#- Each day's fingerprint: the plan's when there is one (its query read
    the raw file for them already), else the raw file's. -#}
{%- set day_fingerprints_from = 'raw_day_fingerprints' if planned is none
    else 'planned_fingerprints' -%}
{%- if incremental_plan -%}
    {%- set rows_to_stage = 'restaged_rows' -%}
    {%- set keys_to_stage = 'restaged_rows' -%}
    {%- set repeated_rows_to_stage = 'restaged_rows' -%}
{%- else -%}
    {%- set rows_to_stage = 'raw_rows' -%}
    {%- set keys_to_stage = 'raw_keys' -%}
    {%- set repeated_rows_to_stage = 'raw_repeated' -%}
{%- endif %}
with

-- The raw file is read four times in a full build, each import CTE once
-- (a CTE read twice would be materialized whole): every row, the key
-- column alone, the rows of repeated keys, and the day totals of the
-- fingerprints. An incremental run reads the day totals in its plan query
-- and, for a few days, the two imports below instead of the first three.
raw_rows as (

    select * from {{ source('raw', 'usage_events') }}

),

raw_keys as (

    select event_id from {{ source('raw', 'usage_events') }}

),

raw_repeated as (

    select * from {{ source('raw', 'usage_events') }}

),

{% if incremental_plan %}

-- The days to re-stage (their raw rows, the keys stored on them) and, only
-- when the plan found copy days, the raw and stored rows of those days.
{{ reload_ctes }}

{% if copy_day_list %}

raw_copy_candidates as (

    select * from {{ raw_source }}
    where {{ usage_staging_raw_day_range(raw_source, copy_day_list) }}

),

stored_carried as (

    select * from {{ this }}
    where {{ usage_staging_day_range('staged_day', copy_day_list) }}

),

{% endif %}

{% endif %}

{{ context_ctes }}

{% if is_incremental() %}

planned_days as (

    -- The plan of this run (macros/usage_staging.sql, computed before this
    -- query): every day of the raw file or of the stored rows, with its
    -- fingerprint now, whether it is re-staged and whether it is gone.
    {{ usage_staging_days_values(planned) }}

),

planned_fingerprints as (

    select
        planned_days.staged_day,
        planned_days.staging_fingerprint
    from planned_days
    where not planned_days.is_vanished

),

vanished as (

    -- One marker row (a null fingerprint) per day with stored rows and no
    -- raw row left: it deletes the day and is not stored.
    select
        {% for column in source_columns + ['rejection_reason'] -%}
            cast(null as {{ 'timestamp' if column == 'occurred_at'
                else 'integer' if column == 'quantity'
                else dbt.type_string() }}) as {{ column }},
        {% endfor -%}
        cast(null as boolean) as is_exact_duplicate,
        {% for column in raw_columns -%}
            cast(null as {{ dbt.type_string() }}) as {{ column }},
        {% endfor -%}
        planned_days.staged_day,
        cast(null as ubigint) as staging_fingerprint,
        cast(null as timestamp) as loaded_at
    from planned_days
    where planned_days.is_vanished

),

{% endif %}

{% if incremental_plan %}

{% if copy_day_list %}

copy_days as (

    {{ usage_staging_day_list(copy_day_list) }}

),

copy_rows as (

    -- The raw rows on those days with one of the keys.
    select raw_copy_candidates.*
    from raw_copy_candidates
    where
        coalesce(
            {{ usage_staged_day(staging_timestamp(
                'raw_copy_candidates.occurred_at')) }} in (
                select copy_days.staged_day from copy_days
            ),
            false
        )
        and coalesce(
            {{ normalised_event_id }} in (
                select reload_keys.event_id from reload_keys
            ),
            false
        )

),

carried as (

    -- The other rows of the copy days, as stored.
    select stored_carried.*
    from stored_carried
    where
        coalesce(
            stored_carried.staged_day in (
                select copy_days.staged_day from copy_days
            ),
            false
        )
        and (
            stored_carried.event_id is null
            or stored_carried.event_id not in (
                select reload_keys.event_id from reload_keys
            )
        )

),

{% endif %}

restaged_rows as (

    -- All copies of every key in here.
    select * from reload_rows
    {%- if copy_day_list %}
    union all
    select * from copy_rows
    {%- endif %}

),

{% endif %}

day_fingerprints as (

    select
        staged_day,
        staging_fingerprint
    from {{ day_fingerprints_from }}

),

source as (

    select * from {{ rows_to_stage }}

),

source_keys as (

    select event_id from {{ keys_to_stage }}

),

source_repeated as (

    select * from {{ repeated_rows_to_stage }}

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
        reasoned.event_id,
        reasoned.account_id,
        reasoned.user_id,
        reasoned.event_name,
        reasoned.occurred_at,
        reasoned.quantity,
        reasoned.rejection_reason,
        reasoned.is_exact_duplicate,
        {% for column in raw_columns -%}
            case
                when reasoned.rejection_reason is not null
                    then reasoned.{{ column }}
            end as {{ column }},
        {% endfor -%}
        {{ usage_staged_day('reasoned.occurred_at') }} as staged_day,
        day_fingerprints.staging_fingerprint,
        {{ run_started_at_timestamp() }} as loaded_at
    from reasoned
    left join day_fingerprints
        on
            {{ usage_staged_day('reasoned.occurred_at') }}
            = day_fingerprints.staged_day

)

select * from final
{%- if copy_day_list %}
union all
select * from carried
{%- endif %}
{%- if is_incremental() %}
union all
select * from vanished
{%- endif %}
