{#-
    Revenue per account and calendar month for the semantic layer: MRR at
    the month's end and at the previous month's end, and the month's MRR
    movement (int_account_mrr_movements: new, expansion, contraction, churn,
    reactivation) split into one non-negative column per kind, so that
    retention metrics are sums: net revenue retention = (starting MRR +
    expansion - contraction - churned) / starting MRR; gross = (starting
    MRR - contraction - churned) / starting MRR; logo churn rate = churned
    logos / paying accounts at the start of the month.
-#}
with

monthly as (

    select
        account_id,
        revenue_month,
        is_current_month,
        mrr_usd
    from {{ ref('int_account_mrr_monthly') }}

),

movements as (

    select
        account_id,
        revenue_month,
        movement_type,
        mrr_change_usd
    from {{ ref('int_account_mrr_movements') }}

),

with_previous as (

    select
        account_id,
        revenue_month,
        is_current_month,
        mrr_usd,
        coalesce(
            lag(mrr_usd) over (
                partition by account_id order by revenue_month
            ),
            0
        ) as starting_mrr_usd
    from monthly

),

final as (

    select
        cast(with_previous.account_id as {{ dbt.type_string() }})
            as account_id,
        cast(with_previous.revenue_month as date) as revenue_month,
        with_previous.is_current_month,
        cast(with_previous.mrr_usd as decimal(18, 2)) as mrr_usd,
        cast(with_previous.starting_mrr_usd as decimal(18, 2))
            as starting_mrr_usd,
        cast(movements.movement_type as {{ dbt.type_string() }})
            as movement_type,
        {%- for kind in ['new', 'expansion', 'reactivation'] %}
            cast(
                case
                    when movements.movement_type = '{{ kind }}'
                        then movements.mrr_change_usd
                    else 0
                end as decimal(18, 2)
            ) as {{ kind }}_mrr_usd,
        {%- endfor %}
        {%- for kind in ['contraction', 'churn'] %}
            cast(
                case
                    when movements.movement_type = '{{ kind }}'
                        then -1 * movements.mrr_change_usd
                    else 0
                end as decimal(18, 2)
            ) as {{ kind }}_mrr_usd,
        {%- endfor %}
        cast(
            case when with_previous.starting_mrr_usd > 0 then 1 else 0 end
            as integer
        ) as is_paying_at_start,
        cast(
            case when movements.movement_type = 'churn' then 1 else 0 end
            as integer
        ) as is_churned_logo
    from with_previous
    left join movements
        on
            with_previous.account_id = movements.account_id
            and with_previous.revenue_month = movements.revenue_month

)

select * from final
