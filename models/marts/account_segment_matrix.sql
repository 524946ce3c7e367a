{#-
    Wide view of the current segments: one row per account, one boolean
    column per catalog segment (var segment_catalog), generated from the
    catalog: a new catalog entry adds its column with no SQL edit. Its
    contract is not enforced because the columns are generated; the singular
    test tests/segments/assert_matrix_columns_match_catalog.sql checks them.
-#}
with

accounts as (

    select
        account_id,
        as_of_date
    from {{ ref('dim_accounts') }}

),

account_segments as (

    select
        account_id,
        segment_key
    from {{ ref('fct_account_segments') }}

),

final as (

    select
        accounts.account_id,
        accounts.as_of_date,
        {%- for key in segment_keys() %}
            {{ segment_matrix_flag('account_segments.segment_key', key) }}
            {%- if not loop.last %},{% endif %}
        {%- endfor %}
    from accounts
    left join account_segments
        on accounts.account_id = account_segments.account_id
    group by 1, 2

)

select * from final
