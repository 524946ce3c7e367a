{#-
    The candidate behaviours int_account_behaviour_candidates_weekly
    evaluates on every row of the weekly spine: one row per behaviour_key.
    stopped_<feature> and declined_<feature> for each key feature of the
    event_catalog seed (the rows of int_account_feature_usage_weekly), and
    the account-wide behaviours of macro behaviour_account_candidates.
    The candidates model keeps only the behaviours present on a date; with
    this list, an account on the spine without a candidate row is an
    account without that behaviour (int_churn_indicator_lift and its
    rolling version count both). Empty when the spine is empty: then
    nothing is evaluated.
-#}
with

key_features as (

    select event_name
    from {{ ref('event_catalog') }}
    where is_key_feature = true

),

spine_is_loaded as (

    select count(*) > 0 as is_loaded
    from {{ ref('int_account_weeks') }}

),

feature_keys as (

    select
        {{ dbt.concat(["'stopped_'", 'event_name']) }} as behaviour_key,
        'key_feature' as candidate_source,
        event_name
    from key_features

    union all

    select
        {{ dbt.concat(["'declined_'", 'event_name']) }} as behaviour_key,
        'key_feature' as candidate_source,
        event_name
    from key_features

),

account_keys as (

    {% for candidate in behaviour_account_candidates() %}
        select
            '{{ candidate.key }}' as behaviour_key,
            'account' as candidate_source,
            cast(null as {{ dbt.type_string() }}) as event_name
        {% if not loop.last %}
            union all
        {% endif %}
    {%- endfor %}

),

candidate_keys as (

    select * from feature_keys
    union all
    select * from account_keys

),

final as (

    select
        cast(candidate_keys.behaviour_key as {{ dbt.type_string() }})
            as behaviour_key,
        cast(candidate_keys.candidate_source as {{ dbt.type_string() }})
            as candidate_source,
        cast(candidate_keys.event_name as {{ dbt.type_string() }})
            as event_name
    from candidate_keys
    cross join spine_is_loaded
    where spine_is_loaded.is_loaded

)

select * from final
