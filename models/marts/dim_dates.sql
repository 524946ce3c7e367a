{#-
    One row per calendar day, 2015-01-01 to 2035-12-31: the time spine of
    the semantic layer (MetricFlow joins metrics to it for offsets and
    complete periods; `time_spine` config in _marts__semantic.yml).
-#}
with

day_spine as (

    {{ dbt.date_spine(
        datepart='day',
        start_date="cast('2015-01-01' as date)",
        end_date="cast('2036-01-01' as date)",
    ) }}

),

final as (

    select cast(date_day as date) as date_day
    from day_spine

)

select * from final
