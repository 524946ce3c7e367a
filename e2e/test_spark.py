"""The same project builds on Apache Spark (dbt-spark, `method: session`) and
gives the same results as on DuckDB.

Tiny generated data is built twice, models only (seeds + models, no tests):
once on Spark (profile target `spark`, a local pyspark session in this
process) and once on DuckDB; then ARR per account, the segment memberships
and the lifecycle stages as of the same date must be equal. A second test
checks that a missing raw file stops the Spark run with the same message as
on DuckDB.

Skipped when dbt-spark / pyspark are not installed or there is no Java
(the DuckDB-only `make check`); `make check-spark` installs
requirements-spark.txt into .venv-spark and runs this module.
"""

from __future__ import annotations

import importlib.util
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from conftest import generate_demo, query, run_dbt

_MISSING = [name for name in ("pyspark", "dbt.adapters.spark")
            if importlib.util.find_spec(name) is None]

pytestmark = [
    pytest.mark.skipif(
        bool(_MISSING),
        reason=("Spark check needs dbt-spark[session] and pyspark (missing: "
                + ", ".join(_MISSING) + "); run `make check-spark`"),
    ),
    pytest.mark.skipif(
        shutil.which("java") is None,
        reason="Spark check needs a Java runtime (java not on PATH)",
    ),
]

SPARK_ACCOUNTS = 40
SPARK_SEED = 11
# A short weekly history keeps the Spark build small; both engines get it.
SPARK_VARS = "{history_weeks: 8}"
MODELS_ONLY = ["build", "--exclude-resource-type", "test",
               "--exclude-resource-type", "unit_test"]

ARR_SQL = """
    select account_id, cast(round(arr_usd, 2) as decimal(18, 2))
    from intermediate.int_account_value_weekly
    where is_current
"""
MEMBERSHIP_SQL = """
    select cast(as_of_date as date), segment_key, count(*)
    from intermediate.int_account_segment_membership_weekly
    group by 1, 2
"""
DATA_QUALITY_SQL = """
    select check_name, table_name, rows_flagged, rows_checked,
           share_flagged, example_keys, extra_arr_usd, is_above_threshold
    from marts.rpt_data_quality
"""
LIFECYCLE_SQL = """
    select account_id, lifecycle_stage
    from intermediate.int_account_lifecycle_weekly
    where is_current
"""


@pytest.fixture(scope="module")
def spark_env(tmp_path_factory):
    """Warehouse and metastore folders of this process's Spark session."""
    root = tmp_path_factory.mktemp("spark")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CS_SPARK_WAREHOUSE_DIR", str(root / "warehouse"))
        patch.setenv("CS_SPARK_METASTORE_DIR", str(root / "metastore"))
        yield root


@pytest.fixture(scope="module")
def tiny_raw(tmp_path_factory) -> Path:
    return generate_demo(tmp_path_factory.mktemp("raw_spark") / "data",
                         accounts=SPARK_ACCOUNTS, seed=SPARK_SEED)


@pytest.fixture(scope="module")
def spark_build(spark_env, tiny_raw):
    run = run_dbt([*MODELS_ONLY, "--target", "spark"],
                  workdir=spark_env / "dbt", raw_dir=tiny_raw,
                  dbt_vars=SPARK_VARS)
    assert run.success, run.text
    return run


@pytest.fixture(scope="module")
def duckdb_build(tiny_raw, tmp_path_factory):
    run = run_dbt([*MODELS_ONLY, "--target", "duckdb"],
                  workdir=tmp_path_factory.mktemp("dbt_duck_for_spark"),
                  raw_dir=tiny_raw, dbt_vars=SPARK_VARS)
    assert run.success, run.text
    return run


def _spark_rows(sql: str) -> list[tuple]:
    """Rows from the Spark session dbt-spark started in this process."""
    from pyspark.sql import SparkSession

    session = SparkSession.getActiveSession() or SparkSession.builder.getOrCreate()
    return sorted(tuple(row) for row in session.sql(sql).collect())


def _duck_rows(run, sql: str) -> list[tuple]:
    return sorted(query(run.db_path, sql))


def test_spark_build_matches_duckdb(spark_build, duckdb_build):
    statuses = spark_build.statuses()
    assert sum(1 for s in statuses.values() if s == "success") >= 40, statuses

    arr_spark = _spark_rows(ARR_SQL)
    arr_duck = _duck_rows(duckdb_build, ARR_SQL)
    assert len(arr_spark) == SPARK_ACCOUNTS
    assert sum(arr for _, arr in arr_spark) > Decimal(0)
    assert arr_spark == arr_duck

    members_spark = _spark_rows(MEMBERSHIP_SQL)
    assert len({key for _, key, _ in members_spark}) >= 5, members_spark
    assert members_spark == _duck_rows(duckdb_build, MEMBERSHIP_SQL)

    assert _spark_rows(LIFECYCLE_SQL) == _duck_rows(duckdb_build,
                                                    LIFECYCLE_SQL)

    quality_spark = _spark_rows(DATA_QUALITY_SQL)
    assert len(quality_spark) == 14, quality_spark
    assert quality_spark == _duck_rows(duckdb_build, DATA_QUALITY_SQL)


def test_spark_missing_raw_file_is_reported(spark_build, spark_env,
                                            tiny_raw):
    """Same message as on DuckDB (macros/raw_files.sql), no Java trace."""
    broken = spark_env / "raw_without_subscriptions"
    shutil.copytree(tiny_raw, broken)
    (broken / "subscriptions.parquet").unlink()
    run = run_dbt(["run", "--target", "spark", "--select", "int_as_of_dates"],
                  workdir=spark_env / "dbt_broken", raw_dir=broken)
    assert not run.success
    expected = (f"missing file {broken}/subscriptions.parquet"
                " (table 'subscriptions' is required)")
    assert expected in run.text, run.text
    assert "Raw input contract violated" in run.text


def test_spark_incremental_run_loads_late_usage(spark_build, spark_env,
                                                tiny_raw):
    """A second Spark run after a delivery with late usage rows (dated 20
    days before the as-of date, new event ids): int_usage_daily's
    insert_overwrite path loads them (the reconciliation test passes and the
    day totals grow by exactly the late quantity), and the as-published log
    is appended to, never duplicated."""
    import duckdb

    late_raw = spark_env / "raw_with_late_usage"
    shutil.copytree(tiny_raw, late_raw)
    usage = late_raw / "usage_events.parquet"
    con = duckdb.connect()
    try:
        con.execute(f"""
            copy (
                select * from read_parquet('{tiny_raw / 'usage_events.parquet'}')
                union all
                select 'late-' || event_id, account_id, user_id, event_name,
                    occurred_at - interval 20 day, quantity
                from read_parquet('{tiny_raw / 'usage_events.parquet'}')
                where cast(occurred_at as date) = (
                    select max(cast(occurred_at as date)) from
                    read_parquet('{tiny_raw / 'usage_events.parquet'}'))
            ) to '{usage}' (format parquet)
        """)
        late_quantity = con.execute(
            f"select sum(quantity) from read_parquet('{usage}') "
            "where event_id like 'late-%'").fetchone()[0]
    finally:
        con.close()
    assert late_quantity > 0
    total_sql = "select sum(event_count) from intermediate.int_usage_daily"
    before = _spark_rows(total_sql)[0][0]
    publications_sql = ("select count(distinct publication_number) "
                        "from marts.fct_segment_membership_published")
    assert _spark_rows(publications_sql) == [(1,)]
    run = run_dbt(["build", "--target", "spark", "--select",
                   "+int_usage_daily", "fct_segment_membership_published",
                   "rpt_last_run", "assert_usage_daily_reconciles",
                   "--indirect-selection", "empty"],
                  workdir=spark_env / "dbt", raw_dir=late_raw,
                  dbt_vars=SPARK_VARS)
    assert run.success, run.text
    assert run.statuses()["assert_usage_daily_reconciles"] == "pass"
    assert _spark_rows(total_sql)[0][0] == before + late_quantity
    # the segments were not rebuilt, so nothing new to publish
    assert _spark_rows(publications_sql) == [(1,)]
    assert _spark_rows("select is_incremental, is_published_by_this_run "
                       "from marts.rpt_last_run") == [(True, False)]
