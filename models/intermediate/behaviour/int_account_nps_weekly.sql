{#-
    NPS part of the behaviour panel: one row per row of the weekly spine
    (int_account_weeks). The latest score on or before the as-of date
    (within 180 days; each as-of date is joined to exactly one interval
    [response, next response) instead of to all earlier responses; several
    responses on one day: the last one wins), and the average and count of
    responses in the 90-day window ending on the as-of date.
    Incremental on DuckDB (a table on Spark; macros/as_of_fingerprints.sql):
    a date's rows read only the responses on or before it (a later response
    ends an earlier one's interval only after its own date), so each as-of
    date is stored with the fingerprint of its spine rows, of every response
    on or before it and of the model's code; a run recomputes the dates
    whose fingerprint is new or changed.
-#}
{{ config(**as_of_fingerprint_config()) }}
{%- set incremental = as_of_fingerprint_is_incremental() %}
{%- set version = model_code_md5(
    behaviour_days_before('d', 1) ~ behaviour_type_float()) -%}
with

{{ as_of_fingerprint_ctes(
    [('int_account_weeks', [])],
    version, incremental,
    dated_inputs=[
        ('stg_raw__nps_responses', 'responded_at', [
            'account_id', 'response_id', 'score',
        ]),
    ]) }},

account_weeks as (

    select
        account_id,
        as_of_date,
        {{ behaviour_days_before('as_of_date', 89) }} as window_90d_start,
        {{ behaviour_days_before('as_of_date', 179) }} as window_180d_start
    from {{ ref('int_account_weeks') }}
    {{ as_of_recomputed_only(incremental) }}

),

nps_responses as (

    select
        account_id,
        response_id,
        cast(responded_at as date) as responded_date,
        responded_at,
        score
    from {{ ref('stg_raw__nps_responses') }}

),

nps_intervals as (

    select
        account_id,
        responded_date,
        score,
        lead(responded_date) over (
            partition by account_id
            order by responded_at, response_id
        ) as next_responded_date
    from nps_responses

),

latest_nps as (

    -- Several responses on one day: the last one of the day wins (only its
    -- interval is non-empty).
    select
        account_weeks.account_id,
        account_weeks.as_of_date,
        nps_intervals.score as latest_nps_score
    from account_weeks
    inner join nps_intervals
        on
            account_weeks.account_id = nps_intervals.account_id
            and account_weeks.as_of_date >= nps_intervals.responded_date
            and account_weeks.window_180d_start
            <= nps_intervals.responded_date
            and (
                nps_intervals.next_responded_date is null
                or account_weeks.as_of_date
                < nps_intervals.next_responded_date
            )

),

nps_in_window as (

    select
        account_weeks.account_id,
        account_weeks.as_of_date,
        avg(cast(nps_responses.score as {{ behaviour_type_float() }}))
            as nps_90d_avg,
        count(*) as nps_responses_90d
    from account_weeks
    inner join nps_responses
        on
            account_weeks.account_id = nps_responses.account_id
            and account_weeks.window_90d_start
            <= nps_responses.responded_date
            and account_weeks.as_of_date >= nps_responses.responded_date
    group by 1, 2

),

final as (

    select
        account_weeks.account_id,
        account_weeks.as_of_date,
        latest_nps.latest_nps_score,
        nps_in_window.nps_90d_avg,
        cast(coalesce(nps_in_window.nps_responses_90d, 0) as integer)
            as nps_responses_90d,
        recompute_dates.inputs_fingerprint,
        {{ run_started_at_timestamp() }} as loaded_at
    from account_weeks
    inner join recompute_dates
        on account_weeks.as_of_date = recompute_dates.as_of_date
    left join latest_nps
        on
            account_weeks.account_id = latest_nps.account_id
            and account_weeks.as_of_date = latest_nps.as_of_date
    left join nps_in_window
        on
            account_weeks.account_id = nps_in_window.account_id
            and account_weeks.as_of_date = nps_in_window.as_of_date

)

select * from final
