{#-
    Monthly MRR movements per account (the standard MRR playbook), one row
    per account and month in which MRR changed, comparing the month with the
    month before (0 before the first paid month):
      new          0 -> > 0, first time the account has MRR;
      reactivation 0 -> > 0, after earlier MRR (a return after a churn);
      churn        > 0 -> 0 (the month after the last paid month);
      expansion    MRR up;  contraction  MRR down (both still > 0).
-#}
with

monthly as (

    select * from {{ ref('int_account_mrr_monthly') }}

),

with_previous as (

    select
        account_id,
        revenue_month,
        mrr_usd as mrr_after_usd,
        coalesce(
            lag(mrr_usd) over (
                partition by account_id order by revenue_month
            ),
            0
        ) as mrr_before_usd,
        coalesce(
            max(mrr_usd) over (
                partition by account_id
                order by revenue_month
                rows between unbounded preceding and 1 preceding
            ),
            0
        ) as highest_earlier_mrr_usd
    from monthly

),

classified as (

    select
        *,
        case
            when mrr_before_usd = 0 and mrr_after_usd > 0
                then
                    case
                        when highest_earlier_mrr_usd = 0 then 'new'
                        else 'reactivation'
                    end
            when mrr_before_usd > 0 and mrr_after_usd = 0 then 'churn'
            when mrr_after_usd > mrr_before_usd then 'expansion'
            when mrr_after_usd < mrr_before_usd then 'contraction'
        end as movement_type
    from with_previous

),

final as (

    select
        account_id,
        revenue_month,
        movement_type,
        cast(mrr_before_usd as {{ dbt.type_numeric() }}) as mrr_before_usd,
        cast(mrr_after_usd as {{ dbt.type_numeric() }}) as mrr_after_usd,
        cast(
            mrr_after_usd - mrr_before_usd as {{ dbt.type_numeric() }}
        ) as mrr_change_usd
    from classified
    where movement_type is not null

)

select * from final
