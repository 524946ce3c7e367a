{#-
    Segment membership over the weekly history: one row per account, as-of
    date and segment the account belongs to, with the evidence (the metric
    values that put it there) as 'name=value; name=value' text.
    The rules are in int_account_segment_rules_weekly; this model only
    unpivots them. value / lifecycle / outcome give exactly one segment per
    account and week (key = dimension prefix + the dimension's value);
    behaviour and composite segments are literal catalog keys, checked at
    compile time by segment_key().

    A table rebuilt on every run (restated history): the weekly grid moves
    with the as-of date and the churn indicators are re-learned on every
    run, so every past week can change; an incremental table kept the weeks
    as first computed and differed from a full build (issue 8). What the
    segments said on each run is kept by fct_segment_membership_published.
    No is_current here: downstream models take it from int_as_of_dates.
-#}
{{ config(materialized='table') }}
with

segment_rules as (

    select * from {{ ref('int_account_segment_rules_weekly') }}

),

value_segments as (

    select
        account_id,
        as_of_date,
        {{ dbt.concat(["'value_'", 'value_tier']) }} as segment_key,
        'value' as dimension,
        {{ segment_evidence([
            ('value_tier', 'value_tier'),
            ('arr_usd', 'cast(arr_usd as decimal(18, 2))'),
            ('value_tier_rank', 'value_tier_rank'),
        ]) }} as evidence
    from segment_rules
    where value_tier is not null

),

lifecycle_segments as (

    select
        account_id,
        as_of_date,
        {{ dbt.concat(["'lifecycle_'", 'lifecycle_stage']) }} as segment_key,
        'lifecycle' as dimension,
        {{ segment_evidence([
            ('lifecycle_stage', 'lifecycle_stage'),
            ('days_to_term_end', 'days_to_term_end'),
            ('current_term_end_date', 'current_term_end_date'),
        ]) }} as evidence
    from segment_rules
    where lifecycle_stage is not null

),

outcome_segments as (

    select
        account_id,
        as_of_date,
        {{ dbt.concat(["'outcome_'", 'outcome_status']) }} as segment_key,
        'outcome' as dimension,
        {{ segment_evidence([
            ('outcome_status', 'outcome_status'),
            ('goals_total', 'goals_total'),
            ('goals_succeeding', 'goals_succeeding'),
        ]) }} as evidence
    from segment_rules
    where outcome_status is not null

),

behaviour_churn_risk as (

    select
        account_id,
        as_of_date,
        {{ segment_key('behaviour_churn_risk') }} as segment_key,
        'behaviour' as dimension,
        {{ segment_evidence([
            ('churn_flag_count', 'churn_flag_count'),
            ('churn_risk_score',
                'cast(churn_risk_score as decimal(18, 2))'),
            ('churn_flags', 'churn_flags'),
        ]) }} as evidence
    from segment_rules
    where is_behaviour_churn_risk = true

),

behaviour_healthy_usage as (

    select
        account_id,
        as_of_date,
        {{ segment_key('behaviour_healthy_usage') }} as segment_key,
        'behaviour' as dimension,
        {{ segment_evidence([
            ('seat_utilisation_30d',
                'cast(seat_utilisation_30d as decimal(18, 2))'),
            ('key_features_adopted_30d', 'key_features_adopted_30d'),
        ]) }} as evidence
    from segment_rules
    where is_behaviour_healthy_usage = true

),

high_value_at_risk as (

    select
        account_id,
        as_of_date,
        {{ segment_key('high_value_at_risk') }} as segment_key,
        'composite' as dimension,
        {{ segment_evidence([
            ('value_tier', 'value_tier'),
            ('arr_usd', 'cast(arr_usd as decimal(18, 2))'),
            ('churn_flags', 'churn_flags'),
        ]) }} as evidence
    from segment_rules
    where is_high_value_at_risk = true

),

renewal_at_risk as (

    select
        account_id,
        as_of_date,
        {{ segment_key('renewal_at_risk') }} as segment_key,
        'composite' as dimension,
        {{ segment_evidence([
            ('days_to_term_end', 'days_to_term_end'),
            ('churn_flags', 'churn_flags'),
            ('outcome_status', 'outcome_status'),
        ]) }} as evidence
    from segment_rules
    where is_renewal_at_risk = true

),

healthy_usage_missing_outcomes as (

    select
        account_id,
        as_of_date,
        {{ segment_key('healthy_usage_missing_outcomes') }} as segment_key,
        'composite' as dimension,
        {{ segment_evidence([
            ('seat_utilisation_30d',
                'cast(seat_utilisation_30d as decimal(18, 2))'),
            ('key_features_adopted_30d', 'key_features_adopted_30d'),
            ('outcome_status', 'outcome_status'),
        ]) }} as evidence
    from segment_rules
    where is_healthy_usage_missing_outcomes = true

),

ready_to_expand as (

    select
        account_id,
        as_of_date,
        {{ segment_key('ready_to_expand') }} as segment_key,
        'composite' as dimension,
        {{ segment_evidence([
            ('seat_utilisation_30d',
                'cast(seat_utilisation_30d as decimal(18, 2))'),
            ('active_users_30d', 'active_users_30d'),
            ('licensed_seats', 'licensed_seats'),
            ('outcome_status', 'outcome_status'),
        ]) }} as evidence
    from segment_rules
    where is_ready_to_expand = true

),

long_tail_ready_to_expand as (

    select
        account_id,
        as_of_date,
        {{ segment_key('long_tail_ready_to_expand') }} as segment_key,
        'composite' as dimension,
        {{ segment_evidence([
            ('arr_usd', 'cast(arr_usd as decimal(18, 2))'),
            ('seat_utilisation_30d',
                'cast(seat_utilisation_30d as decimal(18, 2))'),
            ('licensed_seats', 'licensed_seats'),
        ]) }} as evidence
    from segment_rules
    where is_long_tail_ready_to_expand = true

),

unioned as (

    select * from value_segments
    union all
    select * from lifecycle_segments
    union all
    select * from outcome_segments
    union all
    select * from behaviour_churn_risk
    union all
    select * from behaviour_healthy_usage
    union all
    select * from high_value_at_risk
    union all
    select * from renewal_at_risk
    union all
    select * from healthy_usage_missing_outcomes
    union all
    select * from ready_to_expand
    union all
    select * from long_tail_ready_to_expand

),

final as (

    select
        cast(account_id as {{ dbt.type_string() }}) as account_id,
        cast(as_of_date as date) as as_of_date,
        cast(segment_key as {{ dbt.type_string() }}) as segment_key,
        cast(dimension as {{ dbt.type_string() }}) as dimension,
        cast(evidence as {{ dbt.type_string() }}) as evidence
    from unioned

)

select * from final
