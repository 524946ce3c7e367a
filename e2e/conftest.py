"""Shared fixtures of the end-to-end suite.

Everything is relative to the repository root (the parent of this folder), so
the suite runs from any clone. Every dbt invocation gets its own DuckDB file,
target and log folders under pytest's temporary directory: nothing is written
to the repository and concurrent builds elsewhere are not disturbed.

dbt is driven in-process through ``dbt.cli.main.dbtRunner``, one invocation at
a time in each pytest-xdist worker (a process of its own; pytest.ini).
Results are read with ``duckdb.connect(path, read_only=True)``.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

import duckdb
import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"

if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from cs_segments.contract import table_keys, table_names  # noqa: E402
from cs_segments.run import release_duckdb  # noqa: E402

# The tests build small warehouses, where two dbt threads halve the time;
# the profile's default of one thread is for memory at scale (profiles.yml).
os.environ.setdefault("CS_DBT_THREADS", "2")

# The demo data every session builds once.
GEN_ACCOUNTS = 300
GEN_SEED = 7

# The raw tables and their keys, from the contract (the sources YAML).
RAW_TABLES = table_names()
RAW_KEYS = table_keys()

# Only staging, the seeds it reads, the tests whose parents are all selected
# and the singular tests of staging (they also read the sources).
STAGING_SELECTION = [
    "--select",
    "staging",
    "resource_type:seed",
    "test_name:raw_rows_reconcile",
    "test_name:raw_duplicates_kept_once",
    "--indirect-selection",
    "cautious",
]


@dataclass
class DbtRun:
    """Outcome of one dbt invocation."""

    success: bool
    exception: BaseException | None
    result: object
    messages: list[str] = field(default_factory=list)
    db_path: Path | None = None

    @property
    def text(self) -> str:
        """Everything dbt logged, plus the exception if one escaped."""
        parts = list(self.messages)
        if self.exception is not None:
            parts.append(f"{type(self.exception).__name__}: {self.exception}")
        return "\n".join(parts)

    def statuses(self) -> dict[str, str]:
        """{node name: status} for every node the invocation ran."""
        out: dict[str, str] = {}
        for node_result in getattr(self.result, "results", None) or []:
            out[node_result.node.name] = str(node_result.status)
        return out


# Every invocation has its own target folder, where dbt would find no saved
# manifest and parse the whole project again: 11 s a parse here, against
# 1.5 s for a partial parse that finds nothing changed. So the parse files
# dbt writes (partial_parse.msgpack) are kept as seeds, one per target, raw
# format and --vars (the inputs whose change makes dbt parse in full), in a
# folder the run's xdist workers share; before each invocation the target
# folder gets the seed of its own inputs unless its parse file was already
# made with them (a sidecar file records with which). dbt checks the file as
# always (project files, --vars, the profile and the env vars it read while
# parsing) and parses in full when anything differs. The profile's inputs
# must be the same for that check to pass, so the warehouse is always the
# relative path `wh.duckdb`, opened from `workdir`. In the run of 3041fae
# the suite parsed in full 41 times (~450 s of its ~2,400 s of worker time):
# a seed per worker and per raw format and --vars only, none for a test that
# went back to the default vars after others, and a Spark parse file given
# to DuckDB invocations.
_PARSE_SEED_DIR: Path | None = None  # set by the session fixture below
PARTIAL_PARSE_FILE = "partial_parse.msgpack"
PARSE_KEY_FILE = "partial_parse.key"  # beside it: the inputs it was made with


def run_shared_dir(tmp_path_factory) -> Path:
    """The run's own directory (pytest-N), shared by its xdist workers only;
    without xdist, the session's temporary directory."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


@pytest.fixture(scope="session", autouse=True)
def shared_parse_seeds(tmp_path_factory) -> Path:
    """The seeds live in the run's shared directory (run_shared_dir)."""
    global _PARSE_SEED_DIR
    _PARSE_SEED_DIR = run_shared_dir(tmp_path_factory) / "parse_seeds"
    _PARSE_SEED_DIR.mkdir(exist_ok=True)
    return _PARSE_SEED_DIR


def _parse_key(args: list[str], raw_format: str, dbt_vars: str | None) -> str:
    """What a parse file depends on beyond the project's files and the env
    vars dbt tracks itself: the target (its profile), the raw format and
    --vars."""
    target = os.environ.get("CS_DBT_TARGET", "duckdb")
    if "--target" in args:
        target = args[args.index("--target") + 1]
    return json.dumps([target, raw_format, dbt_vars])


def _parse_seed(key: str) -> Path:
    assert _PARSE_SEED_DIR is not None, "shared_parse_seeds sets it"
    digest = hashlib.sha1(key.encode()).hexdigest()[:16]
    return _PARSE_SEED_DIR / f"{digest}.msgpack"


def _mtime(path: Path) -> int | None:
    try:
        return path.stat().st_mtime_ns
    except FileNotFoundError:
        return None


def _seed_parse_file(saved_parse: Path, key: str) -> int | None:
    """Give the target folder the seed of `key` if its parse file was made
    with other inputs (or is missing); returns the parse file's mtime."""
    key_file = saved_parse.with_name(PARSE_KEY_FILE)
    seed = _parse_seed(key)
    current = key_file.read_text() if key_file.exists() else None
    if seed.exists() and (current != key or not saved_parse.exists()):
        saved_parse.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(seed, saved_parse)
        key_file.write_text(key)
    return _mtime(saved_parse)


def _keep_parse_file(saved_parse: Path, key: str, before: int | None) -> None:
    """After an invocation: a parse file dbt wrote was made with `key`;
    the first one of each key becomes its seed (written whole, then
    renamed: another worker may read it at any time)."""
    after = _mtime(saved_parse)
    if after is None or after == before:
        return
    saved_parse.with_name(PARSE_KEY_FILE).write_text(key)
    seed = _parse_seed(key)
    if not seed.exists():
        partial = seed.with_name(f"{seed.name}.{os.getpid()}.tmp")
        shutil.copyfile(saved_parse, partial)
        os.replace(partial, seed)


# Commands run without JSON artifacts unless asked for (run_dbt).
NO_JSON_COMMANDS = ("build", "run", "seed", "test")


def run_dbt(
    args: list[str],
    *,
    workdir: Path,
    raw_dir: Path,
    raw_format: str = "parquet",
    dbt_vars: str | None = None,
    write_json: bool = False,
) -> DbtRun:
    """Run one dbt command against raw files in `raw_dir`.

    The warehouse is `workdir`/wh.duckdb; target and logs live in `workdir`.
    A build, run, seed or test writes no JSON artifact (manifest, semantic
    manifest, run results) unless `write_json`: the results are read from
    the invocation itself, and writing the manifest twice took about 2 s of
    each 15 s build of the demo data. Compiled SQL is written either way.
    """
    from dbt.cli.main import dbtRunner

    workdir.mkdir(parents=True, exist_ok=True)
    db_path = workdir / "wh.duckdb"
    saved_parse = workdir / "target" / PARTIAL_PARSE_FILE
    parse_key = _parse_key(args, raw_format, dbt_vars)
    parse_mtime = _seed_parse_file(saved_parse, parse_key)
    env = {
        "CS_DUCKDB_PATH": db_path.name,
        "CS_RAW_DIR": str(raw_dir),
        "CS_RAW_FORMAT": raw_format,
        "DBT_PROFILES_DIR": str(REPO_ROOT),
        "DBT_TARGET_PATH": str(workdir / "target"),
        "DBT_LOG_PATH": str(workdir / "logs"),
    }
    saved = {key: os.environ.get(key) for key in env}
    os.environ.update(env)
    saved_cwd = os.getcwd()
    os.chdir(workdir)
    messages: list[str] = []

    def collect(event) -> None:
        try:
            msg, level = event.info.msg, event.info.level
        except AttributeError:  # pragma: no cover - defensive
            return
        if msg and level != "debug":
            messages.append(str(msg))

    cli_args = list(args) + [
        "--project-dir",
        str(REPO_ROOT),
        "--profiles-dir",
        str(REPO_ROOT),
        "--target-path",
        str(workdir / "target"),
        "--log-path",
        str(workdir / "logs"),
    ]
    if dbt_vars:
        cli_args += ["--vars", dbt_vars]
    if not write_json and args and args[0] in NO_JSON_COMMANDS:
        cli_args.append("--no-write-json")
    # The log file keeps dbt's info lines (what the run printed), not its
    # debug lines (every statement sent): 0.5 to 1 s of a 15 s build.
    cli_args += ["--log-level-file", "info"]
    try:
        res = dbtRunner(callbacks=[collect]).invoke(cli_args)
    finally:
        release_duckdb()
        os.chdir(saved_cwd)
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    _keep_parse_file(saved_parse, parse_key, parse_mtime)
    return DbtRun(
        success=res.success,
        exception=res.exception,
        result=res.result,
        messages=messages,
        db_path=db_path,
    )


def query(db_path: Path, sql: str) -> list[tuple]:
    """Rows of `sql` on a built warehouse, opened read-only."""
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def execute(db_path: Path, sql: str) -> None:
    """Runs a statement that changes a warehouse (the e2e tests' edits)."""
    con = duckdb.connect(str(db_path))
    try:
        con.execute(sql)
    finally:
        con.close()


# Comparing two warehouses (the schedule and staging tests: an incremental
# run against a full build on the same data).
# Tables that differ from a full build by design: the as-published log
# (one set of rows per run) and the facts of the last run.
NOT_RESTATED = {"fct_segment_membership_published", "rpt_last_run"}

# Not model output: raw.* are views over the input files of the invocation
# (macros/raw_files.sql), cs_build.* the record of the last dbt invocation
# (macros/build_status.sql).
NOT_MODELLED_SCHEMAS = ("raw", "cs_build")


def relations(db: Path) -> list[tuple[str, str]]:
    return [
        (schema, name) for schema, name in query(db, """
            select schema_name, table_name from duckdb_tables()
            union all
            select schema_name, view_name from duckdb_views()
            where not internal
        """)
        if name not in NOT_RESTATED and schema not in NOT_MODELLED_SCHEMAS
    ]


# When a row was written (int_usage_daily.loaded_at, the staged usage's
# loaded_at) and the high-water
# marks of the incremental usage panels and int_account_activation
# (usage_loaded_at), and the as-of date a run of
# int_account_segment_intervals restated its intervals from (restated_from:
# null in a full build): metadata that differs between any two builds, left
# out of every comparison.
LOAD_METADATA_COLUMNS = ("loaded_at", "usage_loaded_at", "restated_from")


def compared_columns(con, catalog: str, schema: str, name: str) -> str:
    """The select list of a relation without its load-metadata columns."""
    columns = [row[0] for row in con.execute(
        "select column_name from duckdb_columns() where database_name = ? "
        "and schema_name = ? and table_name = ? order by column_index",
        [catalog, schema, name]).fetchall()]
    return ", ".join(f'"{c}"' for c in columns
                     if c not in LOAD_METADATA_COLUMNS)


def differences(db_a: Path, db_b: Path) -> dict[str, tuple[int, int]]:
    """{schema.table: (rows only in a, rows only in b)} for every relation
    of either warehouse that differs; a relation missing on one side counts
    as (-1, -1)."""
    con = duckdb.connect()
    out: dict[str, tuple[int, int]] = {}
    try:
        con.execute(f"attach '{db_a}' as a (read_only)")
        con.execute(f"attach '{db_b}' as b (read_only)")
        rel_a, rel_b = set(relations(db_a)), set(relations(db_b))
        for schema, name in sorted(rel_a ^ rel_b):
            out[f"{schema}.{name}"] = (-1, -1)
        for schema, name in sorted(rel_a & rel_b):
            columns = compared_columns(con, "a", schema, name)
            a_rel = f"select {columns} from a.{schema}.{name}"
            b_rel = f"select {columns} from b.{schema}.{name}"
            only_a = con.execute(
                f"select count(*) from ({a_rel} except all "
                f"{b_rel})").fetchone()[0]
            only_b = con.execute(
                f"select count(*) from ({b_rel} except all "
                f"{a_rel})").fetchone()[0]
            if only_a or only_b:
                out[f"{schema}.{name}"] = (only_a, only_b)
    finally:
        con.close()
    return out


def generate_demo(out: Path, *, accounts: int = GEN_ACCOUNTS,
                  seed: int = GEN_SEED, fmt: str = "parquet") -> Path:
    """Demo raw files from cs_segments.generate (deterministic)."""
    from cs_segments.generate import generate

    generate(accounts=accounts, seed=seed, out=out, fmt=fmt, progress=False)
    return out


# The files that take longest, longest first (measured: `--durations=0`,
# summed per file; test_spark.py in the Spark venv of `make check`). Each
# worker takes the next file when it nears the end of its own (pytest.ini:
# --dist loadfile, --no-loadscope-reorder), so starting the long files first
# keeps one worker from running a long file alone at the end. Only the
# order changes: every collected test still runs.
SLOW_FILES_FIRST = (
    "test_schedule.py", "test_spark.py", "test_own_data.py",
    "test_staging.py", "test_publish.py", "test_segment_diff.py",
    "test_hostile_inputs.py",
)


def pytest_collection_modifyitems(items) -> None:
    rank = {name: i for i, name in enumerate(SLOW_FILES_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT


@pytest.fixture(scope="session")
def generated_raw(tmp_path_factory) -> Path:
    """Demo data: --accounts 300 --seed 7, parquet; generated once."""
    return generate_demo(tmp_path_factory.mktemp("raw_gen") / "data")


@pytest.fixture(scope="session")
def staged_generated(generated_raw, tmp_path_factory) -> DbtRun:
    """Seeds + staging models and their tests built on the demo data."""
    return run_dbt(
        ["build", *STAGING_SELECTION],
        workdir=tmp_path_factory.mktemp("dbt_gen"),
        raw_dir=generated_raw,
    )


@pytest.fixture(scope="session")
def full_build(generated_raw, tmp_path_factory) -> DbtRun:
    """`dbt build` of the whole project (seeds, models, every data and unit
    test) on the demo data: the build the README's check command runs.

    Built once per pytest run: under pytest-xdist the first worker to need
    it builds it (the others wait) and leaves its folder in the run's
    shared temporary directory; every worker works on a copy of its own
    (tests run dbt on it and change it). A worker that did not build it
    reads the outcome from the JSON artifacts (run_results.json,
    manifest.json), not from the dbt invocation (_run_from_artifacts)."""
    workdir = tmp_path_factory.mktemp("dbt_full")

    def build() -> DbtRun:
        # JSON artifacts: e2e/test_semantic.py reads the semantic manifest,
        # the other workers the results (_run_from_artifacts).
        return run_dbt(["build"], workdir=workdir, raw_dir=generated_raw,
                       write_json=True)

    if not os.environ.get("PYTEST_XDIST_WORKER"):
        return build()
    shared = run_shared_dir(tmp_path_factory) / "shared_full_build"
    with open(shared.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        outcome = shared / "outcome.json"
        if outcome.exists():
            shutil.copytree(shared / "work", workdir, dirs_exist_ok=True)
            return _run_from_artifacts(workdir, json.loads(
                outcome.read_text()))
        run = build()
        shutil.copytree(workdir, shared / "work",
                        ignore=shutil.ignore_patterns("logs"))
        outcome.write_text(json.dumps(
            {"success": run.success, "messages": run.messages,
             "exception": None if run.exception is None
             else f"{type(run.exception).__name__}: {run.exception}"}))
        return run


def _run_from_artifacts(workdir: Path, outcome: dict) -> DbtRun:
    """A DbtRun of a build made by another worker: its results rebuilt
    from dbt's run_results.json and manifest.json (node name, resource
    type, compiled SQL, status: what the tests read of them; none when dbt
    stopped before writing them)."""
    target = workdir / "target"
    results = []
    if (target / "run_results.json").exists():
        manifest = json.loads((target / "manifest.json").read_text())
        nodes = {}
        for section in manifest.values():  # nodes, unit_tests, exposures..
            if isinstance(section, dict):
                nodes.update({key: value for key, value in section.items()
                              if isinstance(value, dict) and "name" in value})
        for entry in json.loads(
                (target / "run_results.json").read_text())["results"]:
            node = nodes[entry["unique_id"]]
            results.append(SimpleNamespace(
                status=entry["status"],
                node=SimpleNamespace(
                    name=node["name"], resource_type=node["resource_type"],
                    compiled_code=entry.get("compiled_code"))))
    messages = list(outcome["messages"])
    if outcome["exception"]:
        messages.append(outcome["exception"])
    return DbtRun(success=outcome["success"], exception=None,
                  result=SimpleNamespace(results=results),
                  messages=messages, db_path=workdir / "wh.duckdb")


@pytest.fixture(scope="session")
def full_db(full_build) -> Path:
    """Warehouse of `full_build`; fails the test if the build failed."""
    assert full_build.success, full_build.text
    return full_build.db_path


@pytest.fixture(scope="session")
def dirty_raw(tmp_path_factory) -> Path:
    """Copy of e2e/fixtures/dirty (hand-written CSV with expected_rule)."""
    out = tmp_path_factory.mktemp("raw_dirty") / "data"
    shutil.copytree(FIXTURES / "dirty", out)
    return out


@pytest.fixture(scope="session")
def staged_dirty(dirty_raw, tmp_path_factory) -> DbtRun:
    """Seeds + staging built on the dirty CSV fixture, as of 2024-06-30."""
    return run_dbt(
        ["build", *STAGING_SELECTION],
        workdir=tmp_path_factory.mktemp("dbt_dirty"),
        raw_dir=dirty_raw,
        raw_format="csv",
        dbt_vars="{as_of_date: 2024-06-30}",
    )
