{#-
    What changed in one week: the segment entries and exits between the
    chosen weekly as-of date (var segment_changes_as_of_date, the weekly
    as-of date on or before it; null = the current one, i.e. the latest
    run) and the weekly as-of date before it. An entry starts the segment's
    playbook, an exit stops it; with the playbook's owner and engagement
    model, the account's CSM and its ARR on the change date. Computed from
    the weekly membership directly (not from fct_segment_transitions, which
    e2e/test_report.py compares it with). On the first weekly as-of date
    of the history every membership is an entry.
-#}
{%- set chosen = var('segment_changes_as_of_date', none) -%}
with

as_of_dates as (

    select
        as_of_date,
        is_current
    from {{ ref('int_as_of_dates') }}

),

segment_membership as (

    select
        account_id,
        as_of_date,
        segment_key
    from {{ ref('int_account_segment_membership_weekly') }}

),

segment_rules as (

    select
        account_id,
        as_of_date,
        arr_usd
    from {{ ref('int_account_segment_rules_weekly') }}

),

accounts as (

    select
        account_id,
        account_name,
        csm_id
    from {{ ref('stg_raw__accounts') }}

),

segments as (

    select
        segment_key,
        segment_name,
        dimension,
        playbook,
        owner_team,
        engagement_model,
        priority
    from {{ ref('dim_segments') }}

),

chosen_week as (

    select max(as_of_date) as change_date
    from as_of_dates
    {% if chosen is none -%}
        where is_current = true
    {%- else -%}
        where as_of_date <= cast('{{ chosen }}' as date)
    {%- endif %}

),

weeks as (

    select
        chosen_week.change_date,
        max(as_of_dates.as_of_date) as previous_date
    from chosen_week
    left join as_of_dates
        on chosen_week.change_date > as_of_dates.as_of_date
    group by 1

),

this_week as (

    select segment_membership.*
    from segment_membership
    inner join weeks
        on segment_membership.as_of_date = weeks.change_date

),

previous_week as (

    select segment_membership.*
    from segment_membership
    inner join weeks
        on segment_membership.as_of_date = weeks.previous_date

),

entries as (

    select
        this_week.account_id,
        this_week.segment_key,
        'entered' as change_type
    from this_week
    left join previous_week
        on
            this_week.account_id = previous_week.account_id
            and this_week.segment_key = previous_week.segment_key
    where previous_week.account_id is null

),

exits as (

    select
        previous_week.account_id,
        previous_week.segment_key,
        'left' as change_type
    from previous_week
    left join this_week
        on
            previous_week.account_id = this_week.account_id
            and previous_week.segment_key = this_week.segment_key
    where this_week.account_id is null

),

changes as (

    select * from entries
    union all
    select * from exits

),

final as (

    select
        cast(weeks.change_date as date) as change_date,
        cast(weeks.previous_date as date) as previous_as_of_date,
        cast(changes.account_id as {{ dbt.type_string() }}) as account_id,
        cast(accounts.account_name as {{ dbt.type_string() }})
            as account_name,
        cast(accounts.csm_id as {{ dbt.type_string() }}) as csm_id,
        cast(changes.segment_key as {{ dbt.type_string() }}) as segment_key,
        cast(segments.segment_name as {{ dbt.type_string() }})
            as segment_name,
        cast(segments.dimension as {{ dbt.type_string() }}) as dimension,
        cast(changes.change_type as {{ dbt.type_string() }}) as change_type,
        cast(
            case
                when changes.change_type = 'entered' then 'start'
                else 'stop'
            end as {{ dbt.type_string() }}
        ) as playbook_action,
        cast(segments.playbook as {{ dbt.type_string() }}) as playbook,
        cast(segments.owner_team as {{ dbt.type_string() }}) as owner_team,
        cast(segments.engagement_model as {{ dbt.type_string() }})
            as engagement_model,
        cast(segments.priority as integer) as priority,
        cast(coalesce(segment_rules.arr_usd, 0) as decimal(18, 2))
            as arr_usd
    from changes
    cross join weeks
    left join accounts
        on changes.account_id = accounts.account_id
    left join segments
        on changes.segment_key = segments.segment_key
    left join segment_rules
        on
            changes.account_id = segment_rules.account_id
            and weeks.change_date = segment_rules.as_of_date

)

select * from final
