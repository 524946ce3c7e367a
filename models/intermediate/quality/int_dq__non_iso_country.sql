{#-
    Data-quality check non_iso_country: clean accounts whose country (as
    staged: trimmed, upper-cased, synonyms applied) is not an ISO 3166-1
    alpha-2 code of the iso_country_codes seed. Checked: the accounts with a
    country (an empty country is allowed). The accounts are kept as written;
    example_keys show account_id (country).
-#}
with

accounts as (

    select
        account_id,
        country
    from {{ ref('stg_raw__accounts') }}
    where country is not null

),

iso_country_codes as (

    select country_code from {{ ref('iso_country_codes') }}

),

checked as (

    select
        cast('accounts' as {{ dbt.type_string() }}) as table_name,
        {{ dbt.concat([
            'accounts.account_id', "' ('", 'accounts.country', "')'",
        ]) }} as check_key,
        iso_country_codes.country_code is null as is_flagged
    from accounts
    left join iso_country_codes
        on accounts.country = iso_country_codes.country_code

),

{{ dq_summary_ctes('non_iso_country', ['accounts']) }}

select * from final
