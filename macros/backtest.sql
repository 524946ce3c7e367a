{#-
    Helpers of the churn-signal backtest (models/intermediate/backtest,
    rpt_churn_signal_* marts): confidence intervals of proportions and a
    portable median.
-#}

{#- Wilson score interval of a proportion successes / trials, lower and
    upper bound (z = 1.96: 95%). Null when trials is 0. With p = s / n:
        centre = (p + z^2 / (2n)) / (1 + z^2 / n)
        half   = z * sqrt(p (1 - p) / n + z^2 / (4 n^2)) / (1 + z^2 / n)
    It stays inside [0, 1] and is usable with 0 or n successes, unlike the
    normal (Wald) interval. -#}
{% macro backtest_wilson_bound(successes, trials, side, z=1.96) -%}
    {%- set float_type = behaviour_type_float() -%}
    {%- set p = '(cast(' ~ successes ~ ' as ' ~ float_type ~ ') / '
        ~ trials ~ ')' -%}
    {%- set n = 'cast(' ~ trials ~ ' as ' ~ float_type ~ ')' -%}
    case
        when {{ trials }} > 0
            then
                (
                    {{ p }} + {{ z * z }} / (2 * {{ n }})
                    {{ '-' if side == 'lower' else '+' }} {{ z }} * sqrt(
                        {{ p }} * (1 - {{ p }}) / {{ n }}
                        + {{ z * z }} / (4 * {{ n }} * {{ n }})
                    )
                )
                / (1 + {{ z * z }} / {{ n }})
    end
{%- endmacro %}

{#- Median of a numeric expression as an aggregate (continuous: the mean of
    the two middle values for an even count). -#}
{% macro backtest_median(expr) -%}
    {{ return(adapter.dispatch('backtest_median', 'cs_segments')(expr)) }}
{%- endmacro %}

{% macro default__backtest_median(expr) -%}
    percentile_cont(0.5) within group (order by {{ expr }})
{%- endmacro %}

{% macro spark__backtest_median(expr) -%}
    percentile({{ expr }}, 0.5)
{%- endmacro %}

{#- The horizons (days after the as-of date) in which a churn counts as
    predicted, var backtest_horizons_days, as a one-column relation. -#}
{% macro backtest_horizons() -%}
    {%- for days in var('backtest_horizons_days') %}
    select {{ days | int }} as horizon_days
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
{%- endmacro %}

{#- Whether `as_of_date` is judged for the horizon of the row: it lies at
    least horizon_days before the current as-of date (CTEs horizons and
    current_as_of cross joined). -#}
{% macro backtest_is_judged(as_of_date) -%}
    {{ as_of_date }}
    <= {{ dbt.dateadd(
        'day', '-1 * horizons.horizon_days',
        'current_as_of.current_as_of_date') }}
{%- endmacro %}

{#- Whether the account churned within the horizon of the row (days to
    its churn at most horizon_days; false when it did not churn; CTE
    horizons cross joined). -#}
{% macro backtest_is_churned_within(days_to_churn) -%}
    coalesce({{ days_to_churn }} <= horizons.horizon_days, false)
{%- endmacro %}

{#- The rows of `relation` (columns as_of_date, value_tier,
    lifecycle_stage, days_to_churn and `columns`) in each slice (overall,
    per value tier, per lifecycle stage) and each horizon for which their
    as-of date is judged, with slice_type, slice_value, horizon_days and
    is_churned_within (churned within the horizon). Reads current_as_of and
    horizons. -#}
{% macro backtest_sliced(relation, columns) -%}
    {%- set slices = [
        ("'overall'", "'all'"),
        ("'value_tier'", relation ~ '.value_tier'),
        ("'lifecycle_stage'", relation ~ '.lifecycle_stage'),
    ] -%}
    {%- for slice_type, slice_value in slices %}
    select
        {% for column in columns -%}
            {{ relation }}.{{ column }},
        {% endfor -%}
        {{ relation }}.as_of_date,
        {{ slice_type }} as slice_type,
        {{ slice_value }} as slice_value,
        horizons.horizon_days,
        {{ relation }}.days_to_churn,
        {{ backtest_is_churned_within(relation ~ '.days_to_churn') }}
            as is_churned_within
    from {{ relation }}
    cross join horizons
    cross join current_as_of
    where {{ backtest_is_judged(relation ~ '.as_of_date') }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
{%- endmacro %}

{#-
    The body of rpt_churn_signal_backtest (per_as_of_date = true: one row
    per judged as-of date) and rpt_churn_signal_backtest_summary (false: all
    judged dates pooled): for every learning mode and signal
    (int_churn_backtest_signals) x horizon x slice (overall, per value
    tier, per lifecycle stage), the counts of the confusion table and the
    lead times of the true positives, as CTE `counted`. A date is judged
    for a horizon when it lies at least horizon_days before the current
    as-of date. Signal x slice pairs with no flagged account are kept, with
    zero flagged.
    Each account-date is joined to its signals before it is copied into
    its slices and horizons (9 copies with the default three horizons),
    and the judged accounts are counted per date, tier, stage and days to
    churn first. At 100,000 accounts (one warehouse, two runs each),
    copying the 5.6 M account-dates first and joining the 47 M copies to
    the signals took 7.6 and 6.7 s for the per-date mart, 6.1 and 5.8 s for
    the summary; this takes 4.8 and 4.3 s, 4.1 and 3.8 s (same rows).
-#}
{% macro churn_backtest_counts(per_as_of_date) -%}
    {%- set date_column = 'as_of_date, ' if per_as_of_date else '' -%}
population as (

    select
        account_id,
        as_of_date,
        value_tier,
        lifecycle_stage,
        days_to_churn
    from {{ ref('int_churn_backtest_population') }}

),

signals as (

    select
        account_id,
        as_of_date,
        learning_mode,
        signal_type,
        signal_key
    from {{ ref('int_churn_backtest_signals') }}

),

current_as_of as (

    select max(as_of_date) as current_as_of_date
    from {{ ref('int_as_of_dates') }}

),

horizons as (
    {{ backtest_horizons() }}
),

-- The judged population, counted per as-of date and the columns that
-- decide its slices and churn (one row per account-date before).
population_counts as (

    select
        as_of_date,
        value_tier,
        lifecycle_stage,
        days_to_churn,
        count(*) as account_dates
    from population
    group by 1, 2, 3, 4

),

judged as (

    {{ backtest_sliced('population_counts', ['account_dates']) }}

),

base as (

    select
        {{ date_column }}
        horizon_days,
        slice_type,
        slice_value,
        count(distinct as_of_date) as judged_dates,
        cast(sum(account_dates) as bigint) as judged_accounts,
        cast(
            sum(case when is_churned_within then account_dates else 0 end)
            as bigint
        ) as churned_accounts
    from judged
    group by {{ date_column }} horizon_days, slice_type, slice_value

),

signal_list as (

    select distinct
        learning_mode,
        signal_type,
        signal_key
    from signals

),

-- Each signal of an account-date with that account-date's population row
-- (one each), before it is sliced.
signal_population as (

    select
        signals.learning_mode,
        signals.signal_type,
        signals.signal_key,
        population.as_of_date,
        population.value_tier,
        population.lifecycle_stage,
        population.days_to_churn
    from signals
    inner join population
        on
            signals.account_id = population.account_id
            and signals.as_of_date = population.as_of_date

),

signals_judged as (

    {{ backtest_sliced(
        'signal_population', ['learning_mode', 'signal_type', 'signal_key']) }}

),

flagged as (

    select
        learning_mode,
        signal_type,
        signal_key,
        {{ date_column }}
        horizon_days,
        slice_type,
        slice_value,
        count(*) as flagged_accounts,
        sum(case when is_churned_within then 1 else 0 end)
            as true_positives,
        {{ backtest_median(
            'case when is_churned_within then days_to_churn end') }}
            as median_lead_days
    from signals_judged
    group by
        learning_mode,
        signal_type,
        signal_key,
        {{ date_column }}
        horizon_days,
        slice_type,
        slice_value

),

counted as (

    select
        signal_list.learning_mode,
        signal_list.signal_type,
        signal_list.signal_key,
        {{ 'base.as_of_date,' if per_as_of_date else '' }}
        base.horizon_days,
        base.slice_type,
        base.slice_value,
        base.judged_dates,
        base.judged_accounts,
        base.churned_accounts,
        coalesce(flagged.flagged_accounts, 0) as flagged_accounts,
        coalesce(flagged.true_positives, 0) as true_positives,
        flagged.median_lead_days
    from base
    cross join signal_list
    left join flagged
        on
            signal_list.learning_mode = flagged.learning_mode
            and signal_list.signal_type = flagged.signal_type
            and signal_list.signal_key = flagged.signal_key
            {% if per_as_of_date -%}
            and base.as_of_date = flagged.as_of_date
            {%- endif %}
            and base.horizon_days = flagged.horizon_days
            and base.slice_type = flagged.slice_type
            and base.slice_value = flagged.slice_value

)
{%- endmacro %}

{#-
    The metrics of a confusion table, from columns judged_accounts,
    churned_accounts (churned within the horizon), flagged_accounts and
    true_positives (flagged and churned), as select-list items:
    base_rate = churned / judged; precision = true_positives / flagged
    and recall = true_positives / churned, each with its Wilson 95%
    interval; lift = precision / base_rate (its interval: the precision
    bounds / base_rate, the base rate taken as known); flagged per true
    positive = flagged / true_positives (accounts a CSM calls per churner
    found). Ratios with a zero denominator are null.
-#}
{% macro backtest_metric_columns() -%}
    {%- set float_type = behaviour_type_float() -%}
    {%- set base_rate = '(cast(churned_accounts as ' ~ float_type
        ~ ') / judged_accounts)' -%}
    {%- set precision = 'cast(true_positives as ' ~ float_type
        ~ ') / flagged_accounts' -%}
    {%- set recall = 'cast(true_positives as ' ~ float_type
        ~ ') / churned_accounts' -%}
    {%- set flagged_per_tp = 'cast(flagged_accounts as ' ~ float_type
        ~ ') / true_positives' -%}
    {#- cs_decimal (macros/numeric.sql): the same digits on every engine -#}
    {{ cs_decimal('case when judged_accounts > 0 then ' ~ base_rate
        ~ ' end', 18, 4) }} as base_rate,
    {{ cs_decimal('case when flagged_accounts > 0 then ' ~ precision
        ~ ' end', 18, 4) }} as precision_rate,
    {{ cs_decimal(backtest_wilson_bound('true_positives', 'flagged_accounts',
        'lower'), 18, 4) }} as precision_ci_lower,
    {{ cs_decimal(backtest_wilson_bound('true_positives', 'flagged_accounts',
        'upper'), 18, 4) }} as precision_ci_upper,
    {{ cs_decimal('case when churned_accounts > 0 then ' ~ recall
        ~ ' end', 18, 4) }} as recall_rate,
    {{ cs_decimal(backtest_wilson_bound('true_positives', 'churned_accounts',
        'lower'), 18, 4) }} as recall_ci_lower,
    {{ cs_decimal(backtest_wilson_bound('true_positives', 'churned_accounts',
        'upper'), 18, 4) }} as recall_ci_upper,
    {{ cs_decimal('case when flagged_accounts > 0 and churned_accounts > 0'
        ~ ' then (' ~ precision ~ ') / ' ~ base_rate ~ ' end', 18, 4) }}
        as lift,
    {{ cs_decimal('case when churned_accounts > 0 then '
        ~ backtest_wilson_bound('true_positives', 'flagged_accounts', 'lower')
        ~ ' / ' ~ base_rate ~ ' end', 18, 4) }} as lift_ci_lower,
    {{ cs_decimal('case when churned_accounts > 0 then '
        ~ backtest_wilson_bound('true_positives', 'flagged_accounts', 'upper')
        ~ ' / ' ~ base_rate ~ ' end', 18, 4) }} as lift_ci_upper,
    {{ cs_decimal('case when true_positives > 0 then ' ~ flagged_per_tp
        ~ ' end', 18, 2) }} as flagged_per_true_positive
{%- endmacro %}

{#-
    The churn-indicator observations (int_churn_indicator_lift and its
    rolling version): the CTEs observed_events (each event whose account is
    on the spine on its observation date) and observations (each of those
    with every behaviour of `keys`, present when the account has a
    candidate row for it on that date). Expects the CTEs events (account_id,
    event_date, is_churn, observation_date), spine (account_id,
    as_of_date), candidates (present behaviours: account_id, as_of_date,
    behaviour_key) and `keys` (behaviour_key).
-#}
{% macro churn_observation_ctes(keys) -%}
observed_events as (

    select
        events.account_id,
        events.event_date,
        events.is_churn,
        events.observation_date
    from events
    inner join spine
        on
            events.account_id = spine.account_id
            and events.observation_date = spine.as_of_date

),

observations as (

    select
        observed_events.account_id,
        observed_events.event_date,
        observed_events.is_churn,
        {{ keys }}.behaviour_key,
        candidates.account_id is not null as is_present
    from observed_events
    cross join {{ keys }}
    left join candidates
        on
            observed_events.account_id = candidates.account_id
            and observed_events.observation_date = candidates.as_of_date
            and {{ keys }}.behaviour_key = candidates.behaviour_key

)
{%- endmacro %}
