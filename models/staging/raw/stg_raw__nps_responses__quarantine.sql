{#- Raw nps_responses rows rejected by staging, with the reason and raw text. -#}
with

base as (

    select * from {{ ref('base_raw__nps_responses') }}

),

final as (

    select
        response_id,
        rejection_reason,
        is_exact_duplicate,
        raw_response_id,
        raw_account_id,
        raw_user_id,
        raw_responded_at,
        raw_score
    from base
    where rejection_reason is not null

)

select * from final
