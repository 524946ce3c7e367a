{#- Clean NPS responses: one row per response_id. -#}
with

base as (

    select * from {{ ref('base_raw__nps_responses') }}

),

final as (

    select
        response_id,
        account_id,
        user_id,
        responded_at,
        score
    from base
    where rejection_reason is null

)

select * from final
