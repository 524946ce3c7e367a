{#-
    Helper macros of the staging layer (models/staging/raw).

    The raw tables arrive typed (parquet) or as text (CSV read with
    all_varchar). Staging first turns every raw value into text
    (`staging_raw_text`), then parses the text with a cast that yields null
    instead of failing (`staging_try_cast`), so that one set of SQL handles
    both formats and a value that does not parse is kept as text for the
    quarantine.
-#}


{#- The raw tables with their primary keys, for models and tests that ref
    the staging models of every table (int_staging_outcomes, the
    data-quality checks). The raw contract (models/staging/raw/
    _raw__sources.yml) is the list; this copy exists only because dbt needs
    every ref while it parses, before it knows the sources, and
    tests/assert_capability_inputs_declared.sql fails when the two differ. -#}
{% macro staging_raw_tables() -%}
    {{ return([
        {'name': 'accounts', 'key': 'account_id'},
        {'name': 'csms', 'key': 'csm_id'},
        {'name': 'subscriptions', 'key': 'subscription_id'},
        {'name': 'invoices', 'key': 'invoice_id'},
        {'name': 'users', 'key': 'user_id'},
        {'name': 'usage_events', 'key': 'event_id'},
        {'name': 'support_tickets', 'key': 'ticket_id'},
        {'name': 'nps_responses', 'key': 'response_id'},
        {'name': 'success_goals', 'key': 'goal_id'},
    ]) }}
{%- endmacro %}


{#- A raw value as text, unchanged (not trimmed): what the quarantine shows. -#}
{% macro staging_raw_text(column) -%}
    cast({{ column }} as {{ dbt.type_string() }})
{%- endmacro %}


{#- Trimmed text; blank becomes null. -#}
{% macro staging_trimmed(expression) -%}
    nullif(trim({{ expression }}), '')
{%- endmacro %}


{#- Cast that returns null when the value does not parse (dbt.safe_cast is a
    plain cast on DuckDB, which fails the query instead). -#}
{% macro staging_try_cast(expression, data_type) -%}
    {{ return(adapter.dispatch('staging_try_cast', 'cs_segments')(
        expression, data_type)) }}
{%- endmacro %}

{% macro default__staging_try_cast(expression, data_type) -%}
    {{ dbt.safe_cast(expression, data_type) }}
{%- endmacro %}

{#- DuckDB: a timestamp written with a UTC offset or Z
    (2024-01-05T23:30:00-05:00) is converted to UTC (2024-01-06 04:30:00);
    a plain cast would drop the offset. Text without an offset is taken as
    UTC already. -#}
{% macro duckdb__staging_try_cast(expression, data_type) -%}
    {%- if data_type | lower == 'timestamp' -%}
        case
            when regexp_matches(
                {{ expression }}, '{{ staging_utc_offset_pattern() }}'
            )
                then make_timestamp(
                    epoch_us(try_cast({{ expression }} as timestamptz))
                )
            else try_cast({{ expression }} as timestamp)
        end
    {%- else -%}
        try_cast({{ expression }} as {{ data_type }})
    {%- endif -%}
{%- endmacro %}

{#- Spark 4 runs in ANSI mode, where a plain cast fails on bad text. With
    spark.sql.session.timeZone = UTC (profiles.yml) a timestamp with an
    offset is converted to UTC by the cast itself. -#}
{% macro spark__staging_try_cast(expression, data_type) -%}
    try_cast({{ expression }} as {{ data_type }})
{%- endmacro %}

{#- Timestamp of raw column `column`. On DuckDB a column the file already
    types as TIMESTAMP (Parquet, no time zone) is taken as it is: the round
    trip through text (cast to text, trim, offset check, parse) gives the
    same value and was 12 s of 112.6 M usage rows at 100,000 accounts. A
    column of any other type (text from CSV, TIMESTAMPTZ, DATE) is parsed
    from its trimmed text (staging_try_cast), as before. -#}
{% macro staging_timestamp(column) -%}
    {{ return(adapter.dispatch('staging_timestamp', 'cs_segments')(column)) }}
{%- endmacro %}

{% macro default__staging_timestamp(column) -%}
    {{ staging_try_cast(
        staging_trimmed(staging_raw_text(column)), 'timestamp') }}
{%- endmacro %}

{% macro duckdb__staging_timestamp(column) -%}
    case
        when typeof({{ column }}) = 'TIMESTAMP'
            then try_cast({{ column }} as timestamp)
        else {{ staging_try_cast(
            staging_trimmed(staging_raw_text(column)), 'timestamp') }}
    end
{%- endmacro %}

{#- A time of day followed by a UTC offset (+05:30, -0500, -05) or Z. -#}
{% macro staging_utc_offset_pattern() -%}
    [0-9]{2}:[0-9]{2}(:[0-9]{2}([.][0-9]+)?)? ?([zZ]|[+-][0-9]{2}(:?[0-9]{2})?)$
{%- endmacro %}

{#- Largest amount (per subscription interval or per invoice, in its
    currency) staging accepts; larger ones are quarantined as
    amount_out_of_range. 1,000,000,000 keeps ARR sums far inside the
    DECIMAL(18, 2) of the marts (at usd_per_unit below 90). -#}
{% macro staging_max_amount() -%}
    1000000000
{%- endmacro %}


{#- True when the non-blank text `raw` is not a whole number >= `minimum`
    (it does not parse, has a fraction, or is too small). Blank is not
    checked here: the caller decides whether the value is required. -#}
{% macro staging_is_bad_integer(raw, minimum=0) -%}
    (
        {{ staging_trimmed(raw) }} is not null
        and (
            coalesce({{ staging_try_cast(
                staging_trimmed(raw), 'decimal(18, 4)') }}, -1)
            < {{ minimum }}
            or {{ staging_try_cast(staging_trimmed(raw), 'decimal(18, 4)') }}
            <> floor({{ staging_try_cast(
                staging_trimmed(raw), 'decimal(18, 4)') }})
        )
    )
{%- endmacro %}


{#- A 64-bit hash of a key: one expression, or several separated by commas
    (the columns of a combined key). Used to find repeated keys by grouping
    on a number instead of the key's text (base_raw__usage_events, the
    unique_combination test). Different keys may share a hash: callers use
    it only to narrow the rows to compare by the key itself. DuckDB's hash()
    is 64-bit; Spark's hash() is 32-bit, so Spark uses xxhash64(). -#}
{% macro key_hash(expression) -%}
    {{ return(adapter.dispatch('key_hash', 'cs_segments')(
        expression)) }}
{%- endmacro %}

{% macro default__key_hash(expression) -%}
    hash({{ expression }})
{%- endmacro %}

{% macro spark__key_hash(expression) -%}
    xxhash64({{ expression }})
{%- endmacro %}
