"""The same project builds on Apache Spark (dbt-spark, `method: session`) and
gives the same results as on DuckDB, row for row.

Tiny generated data (40 accounts, 8 weekly as-of dates) is built twice,
models only (seeds + models, no tests): once on Spark (profile target
`spark`, a local pyspark session in this process) and once on DuckDB; each
build is made once per module and shared by every test.

Compared: every model dbt builds into the `marts` schema, and every one in
`intermediate` (the list comes from the DuckDB build's manifest, so a new
mart is compared without editing this file): same tables, same column
names, and the same multiset of rows in both directions (rows only on
DuckDB and rows only on Spark are reported, the first of each per table,
with the table name). Values are normalised first (e2e/table_compare.py):
numbers rounded half-even to 6 decimal places (the widest scale of a mart
decimal is 6, and doubles differ between engines only by the order of
additions, about 1e-15 relative), with a second pass that pairs rows whose
numbers differ by at most max(1e-6, 1e-9 x |value|) so a value on a
rounding boundary is not reported; dates and timestamps as ISO strings in
UTC; booleans as bool; nulls as None.
Excluded, by name (EXCLUDED_COLUMNS): columns that differ between any two
builds whatever the engine (the run's timestamp and invocation id in the
as-published log, the load times of the daily usage rollup and the usage
panels' high-water marks, when the segment rules and membership rows were
written) and the input fingerprints of the behaviour panel, the segment
rules and the membership (sums of row hashes, whose hash function differs
between engines).
Nothing else is excluded.

A probe (e2e/fixtures/engine_probe.sql) runs the portable macros on edge
cases the tiny data may not reach (month ends, values halfway in decimal
but not in binary, ordered text of a group of nulls) on both engines. Other
tests: a missing raw file stops the Spark run with the same message as on
DuckDB; a late delivery is loaded by the incremental path on Spark.

Skipped when dbt-spark / pyspark are not installed or there is no Java
(the DuckDB-only `make check`); `make check-spark` installs
requirements-spark.txt into .venv-spark and runs this module.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import time
from pathlib import Path

import pytest

from conftest import FIXTURES, generate_demo, query, run_dbt
from table_compare import compare_rows, normalise_row

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

# Schemas compared row for row; every model dbt builds into them is read
# (the list comes from the manifest).
COMPARED_SCHEMAS = ("marts", "intermediate")
# Columns that differ between any two builds, whatever the engine: left out
# of the comparison by name, each with its reason. (rpt_last_run holds no
# wall-clock, invocation or engine column: it is compared whole.)
EXCLUDED_COLUMNS = {
    ("marts.fct_segment_membership_published", "published_at"):
        "run_started_at of the build (wall clock), metadata only",
    ("marts.fct_segment_membership_published", "dbt_invocation_id"):
        "a new id for every dbt invocation",
    ("intermediate.int_usage_daily", "loaded_at"):
        "run_started_at of the build that loaded the day (wall clock)",
    ("intermediate.int_account_usage_weekly", "usage_loaded_at"):
        "the panel's high-water mark: a loaded_at (wall clock)",
    ("intermediate.int_account_feature_usage_weekly", "usage_loaded_at"):
        "the panel's high-water mark: a loaded_at (wall clock)",
    ("intermediate.int_account_feature_usage_weekly", "loaded_at"):
        "run_started_at of the build that wrote the date (wall clock)",
    ("intermediate.int_account_activation", "usage_loaded_at"):
        "the model's high-water mark: a loaded_at (wall clock)",
    ("intermediate.int_account_behaviour_weekly", "inputs_fingerprint"):
        "a sum of row hashes: DuckDB's hash() and Spark's xxhash64() differ",
    ("intermediate.int_account_segment_rules_weekly", "inputs_fingerprint"):
        "a sum of row hashes: DuckDB's hash() and Spark's xxhash64() differ",
    ("intermediate.int_account_segment_rules_weekly", "loaded_at"):
        "run_started_at of the build that wrote the date (wall clock)",
    ("intermediate.int_account_segment_membership_weekly",
     "inputs_fingerprint"):
        "a sum of row hashes of the rules' fingerprints (engine-specific)",
    ("intermediate.int_account_segment_membership_weekly", "loaded_at"):
        "run_started_at of the build that wrote the date (wall clock)",
    ("intermediate.int_account_segment_intervals", "loaded_at"):
        "run_started_at of the build that wrote the interval (wall clock)",
    ("intermediate.int_goal_attainment_weekly", "goal_inputs_hash"):
        "a row hash: DuckDB's hash() and Spark's xxhash64() differ",
    ("intermediate.int_goal_attainment_weekly", "usage_loaded_at"):
        "the model's high-water mark: a loaded_at (wall clock)",
    ("intermediate.int_goal_attainment_weekly", "loaded_at"):
        "run_started_at of the build that wrote the row (wall clock)",
}
# The point-in-time panels and the behaviour candidates stored per as-of
# date by the fingerprint of their inputs (macros/as_of_fingerprints.sql):
# the same two columns each.
EXCLUDED_COLUMNS.update({
    (f"intermediate.int_account_{panel}_weekly", column): reason
    for panel in ("value", "lifecycle", "billing", "support", "nps",
                  "outcomes", "behaviour_candidates")
    for column, reason in (
        ("inputs_fingerprint",
         "a sum of row hashes: DuckDB's hash() and Spark's xxhash64() differ"),
        ("loaded_at",
         "run_started_at of the build that wrote the date (wall clock)"),
    )
})
# Columns only Spark has, each with its reason: not compared (the
# comparison's column sets would differ otherwise); their presence is
# checked by the test that reads them.
SPARK_ONLY_COLUMNS = {
    ("intermediate.int_usage_daily", "activity_month"):
        "the month partition of the rollup (macros/behaviour.sql)",
}
# Marts allowed to have no row on this tiny data (they are still compared).
MAX_EMPTY_MARTS = 0


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
                  raw_dir=tiny_raw, dbt_vars=SPARK_VARS,
                  write_json=True)  # its manifest lists the compared models
    assert run.success, run.text
    return run


def _spark_session():
    """The Spark session dbt-spark started in this process."""
    from pyspark.sql import SparkSession

    return (SparkSession.getActiveSession()
            or SparkSession.builder.getOrCreate())


def _spark_rows(sql: str) -> list[tuple]:
    """Rows of `sql` on the Spark warehouse."""
    return sorted(tuple(row) for row in _spark_session().sql(sql).collect())


def _models_in_schema(run, schema: str) -> list[str]:
    """Every model dbt built into `schema`, from the DuckDB build's
    manifest (not a hand-kept list: a new mart is compared automatically)."""
    manifest = json.loads(
        (run.db_path.parent / "target" / "manifest.json").read_text())
    return sorted(
        node["name"] for node in manifest["nodes"].values()
        if node["resource_type"] == "model"
        and node["package_name"] == "cs_segments"
        and node["schema"] == schema
        and node["config"]["materialized"] != "ephemeral")


def _duck_columns(run, schema: str, table: str) -> list[str]:
    return [name for (name,) in query(run.db_path, f"""
        select column_name from information_schema.columns
        where table_schema = '{schema}' and table_name = '{table}'
        order by ordinal_position""")]


def _compared_columns(schema: str, table: str,
                      columns: list[str]) -> list[str]:
    return [column for column in columns
            if (f"{schema}.{table}", column) not in EXCLUDED_COLUMNS]


def _read_spark_tables(run, schema: str) -> dict[str, tuple]:
    """{table: (columns, normalised rows) or the problem} of every model of
    `schema`, read from Spark (columns named as on DuckDB)."""
    from pyspark.sql.types import TimestampType

    session = _spark_session()
    present = {row.tableName.lower()
               for row in session.sql(f"show tables in {schema}").collect()}
    out: dict[str, tuple] = {}
    for table in _models_in_schema(run, schema):
        if table not in present:
            out[table] = ("missing", f"{schema}.{table} is not on Spark")
            continue
        frame = session.table(f"{schema}.{table}")
        columns = [name.lower() for name in frame.columns]
        frame = frame.toDF(*columns)
        columns = [name for name in columns
                   if (f"{schema}.{table}", name) not in SPARK_ONLY_COLUMNS]
        kept = _compared_columns(schema, table, columns)
        frame = frame.select(*kept)
        local = {i for i, f in enumerate(frame.schema.fields)
                 if isinstance(f.dataType, TimestampType)}
        rows = [normalise_row(tuple(row), local) for row in frame.collect()]
        out[table] = (columns, rows)
    return out


def _compare_schema(spark_tables: dict, run, schema: str) -> list[str]:
    """Compare every model of `schema` on DuckDB with its Spark rows;
    returns one message per differing table (empty = equal) and prints
    what was compared (shown by pytest -s or on failure)."""
    problems = []
    for table in _models_in_schema(run, schema):
        spark_columns, spark_rows = spark_tables[table]
        if spark_columns == "missing":
            problems.append(spark_rows)
            continue
        duck_columns = _duck_columns(run, schema, table)
        if set(duck_columns) != set(spark_columns):
            problems.append(
                f"{schema}.{table}: columns differ, only on DuckDB "
                f"{sorted(set(duck_columns) - set(spark_columns))}, only "
                f"on Spark {sorted(set(spark_columns) - set(duck_columns))}")
            continue
        kept = _compared_columns(schema, table, spark_columns)
        duck_rows = [normalise_row(row) for row in query(
            run.db_path,
            f"select {', '.join(kept)} from {schema}.{table}")]
        diff = compare_rows(f"{schema}.{table}", kept, duck_rows, spark_rows)
        print(f"compared {schema}.{table}: {len(duck_rows)} rows x "
              f"{len(kept)} columns, {diff.paired_by_tolerance} paired by "
              f"tolerance, {'equal' if diff.equal else 'DIFFERENT'}")
        if not diff.equal:
            problems.append(diff.describe("DuckDB", "Spark"))
    return problems


@pytest.fixture(scope="module")
def spark_tables(spark_build, duckdb_build) -> dict[str, dict]:
    """Every mart and intermediate table of the Spark build, read once
    right after it (before any test runs dbt on Spark again)."""
    tables = {}
    for schema in COMPARED_SCHEMAS:
        start = time.perf_counter()
        tables[schema] = _read_spark_tables(duckdb_build, schema)
        print(f"read {len(tables[schema])} {schema} tables from Spark in "
              f"{time.perf_counter() - start:.0f} s")
    return tables


def test_every_mart_matches_duckdb_row_for_row(spark_build, duckdb_build,
                                               spark_tables):
    """Every model of the marts schema, every compared column, row for row
    in both directions (see e2e/table_compare.py for the rounding rule)."""
    statuses = spark_build.statuses()
    assert sum(1 for s in statuses.values() if s == "success") >= 40, statuses
    marts = _models_in_schema(duckdb_build, "marts")
    assert len(marts) >= 20, marts
    for (table, column), reason in EXCLUDED_COLUMNS.items():
        assert column in _duck_columns(duckdb_build, *table.split(".")), (
            f"excluded column {table}.{column} no longer exists ({reason})")
    accounts = query(duckdb_build.db_path,
                     "select count(*) from marts.dim_accounts")
    assert accounts == [(SPARK_ACCOUNTS,)]
    empty = [table for table in marts
             if not spark_tables["marts"][table][1]]
    assert len(empty) <= MAX_EMPTY_MARTS, f"empty marts: {empty}"
    problems = _compare_schema(spark_tables["marts"], duckdb_build, "marts")
    assert not problems, "\n".join(problems)


def test_every_intermediate_table_matches_duckdb_row_for_row(
        duckdb_build, spark_tables):
    """The same comparison over the intermediate schema: a difference shows
    where it starts, before it reaches a mart."""
    problems = _compare_schema(spark_tables["intermediate"], duckdb_build,
                               "intermediate")
    assert not problems, "\n".join(problems)


def _probe_queries(target: str, workdir: Path, raw_dir: Path) -> dict:
    """{probe name: SQL} of e2e/fixtures/engine_probe.sql compiled by dbt
    for `target`."""
    sql = (FIXTURES / "engine_probe.sql").read_text()
    run = run_dbt(["compile", "--target", target, "--inline", sql],
                  workdir=workdir, raw_dir=raw_dir, dbt_vars=SPARK_VARS)
    assert run.success, run.text
    compiled = run.result.results[0].node.compiled_code
    queries: dict[str, str] = {}
    name = None
    for line in compiled.splitlines():
        if line.startswith("-- probe: "):
            name = line.removeprefix("-- probe: ").strip()
            queries[name] = ""
        elif name is not None:
            queries[name] += line + "\n"
    assert len(queries) == 3, compiled
    return queries


def test_engine_probe_matches_duckdb(spark_build, duckdb_build, spark_env,
                                     tiny_raw, spark_tables):
    """The portable macros (month arithmetic, rounding of doubles and
    quotients, ordered text aggregation) give the same rows on both engines
    on edge cases the tiny data may not reach (e2e/fixtures/
    engine_probe.sql): month ends, values halfway in decimal but not in
    binary."""
    import duckdb
    from pyspark.sql.types import TimestampType

    # the builds' own folders: dbt parses the project again only partially
    spark_queries = _probe_queries("spark", spark_env / "dbt", tiny_raw)
    duck_queries = _probe_queries("duckdb", duckdb_build.db_path.parent,
                                  tiny_raw)
    session = _spark_session()
    con = duckdb.connect()
    problems = []
    try:
        for name, spark_sql in spark_queries.items():
            frame = session.sql(spark_sql)
            local = {i for i, f in enumerate(frame.schema.fields)
                     if isinstance(f.dataType, TimestampType)}
            spark_rows = [normalise_row(tuple(row), local)
                          for row in frame.collect()]
            cursor = con.execute(duck_queries[name])
            columns = [d[0] for d in cursor.description]
            duck_rows = [normalise_row(row) for row in cursor.fetchall()]
            assert duck_rows, name
            diff = compare_rows(f"probe {name}", columns, duck_rows,
                                spark_rows)
            if not diff.equal:
                problems.append(diff.describe("DuckDB", "Spark", limit=20))
    finally:
        con.close()
    assert not problems, "\n".join(problems)


def test_spark_missing_raw_file_is_reported(spark_build, spark_env,
                                            tiny_raw):
    """Same message as on DuckDB (macros/raw_files.sql), no Java trace."""
    broken = spark_env / "raw_without_subscriptions"
    shutil.copytree(tiny_raw, broken)
    (broken / "subscriptions.parquet").unlink()
    # the build's --vars: its parse file is reused (e2e/conftest.py)
    run = run_dbt(["run", "--target", "spark", "--select", "int_as_of_dates"],
                  workdir=spark_env / "dbt_broken", raw_dir=broken,
                  dbt_vars=SPARK_VARS)
    assert not run.success
    expected = (f"missing file {broken}/subscriptions.parquet"
                " (table 'subscriptions' is required)")
    assert expected in run.text, run.text
    assert "Raw input contract violated" in run.text


def test_spark_incremental_run_loads_late_usage(spark_build, spark_env,
                                                tiny_raw, spark_tables):
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
    # One partition per month (not per day): every partition value is the
    # first day of a month, and together they are the months of the days.
    partitions = {row[0] for row in _spark_rows(
        "show partitions intermediate.int_usage_daily")}
    months = {f"activity_month={month}" for (month,) in _spark_rows(
        "select distinct cast(date_trunc('month', activity_date) as date) "
        "from intermediate.int_usage_daily")}
    assert partitions == months and len(months) > 12, sorted(partitions)
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
