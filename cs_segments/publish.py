"""Publish the marts of a finished build to the DuckDB file BI tools read.

    python -m cs_segments.publish [--work PATH] [--to PATH]

dbt builds into a *work* database (default warehouse/work/cs_segments.duckdb,
env CS_DUCKDB_PATH). Only after every model and test passed, the marts (the
`marts` schema, nothing else: no staging, no raw values, no PII) are copied
into a new file next to the *published* one (default
warehouse/cs_segments.duckdb, env CS_PUBLISHED_PATH), which is then renamed
over it with os.replace, an atomic rename on POSIX file systems.

What that gives BI readers:
- the build never writes the published file, so a reader holding it open
  (DuckDB's read-only lock) never blocks a build, and a build never locks a
  reader out;
- a reader sees the old set of marts or the new one, never a mix: a reader
  that opened the old file keeps reading the old file (its inode) until it
  reconnects;
- a failed, failing-test or killed build (even SIGKILL in the middle of a
  publish) leaves the last published file as it was: the new file only
  takes the published name once it is complete, checkpointed and fsynced.

A table `publish.build_info` in the published file records the as-of date,
the publish time (UTC) and the tables copied.

The as-published log (marts.fct_segment_membership_published) grows by one
publication per run and is never rewritten: copying it whole made a daily
publish take 57 s after a year of daily runs at 100,000 accounts (128 M
rows), against 3 s on the first day. So the new file starts as a byte copy
of the published one (never written after its rename, so a copy is safe
beside readers); every other table is dropped and copied again from the
work database, and the log only gets the publications it lacks. It is
copied whole instead when the copy cannot be reused: no published file
yet, one DuckDB cannot open, other columns, or a published log that is not
the start of the work one (the latest publication it holds differs, or the
work log has another number of rows up to it: a log dropped and rebuilt, or
another work database). DuckDB reuses the space of the dropped tables but
does not shrink the file: it keeps about one or two copies of the other
marts as free space (150 publishes of a test file: 34 MiB against 22 MiB
copied whole, not growing with the number of publishes).
"""

from __future__ import annotations

import argparse
import datetime as dt
import fcntl
import os
import shutil
import signal
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_WORK_DB = ROOT / "warehouse" / "work" / "cs_segments.duckdb"
DEFAULT_PUBLISHED_DB = ROOT / "warehouse" / "cs_segments.duckdb"

# The schemas BI reads; everything else in the work database stays there.
PUBLISHED_SCHEMAS = ("marts",)

# Tables that only grow by publications appended at the end, with the
# column that numbers them: the publish appends what the published file
# lacks instead of copying them whole (see the module docstring).
APPEND_ONLY_TABLES = {
    ("marts", "fct_segment_membership_published"): "publication_number",
}

# Test hook: SIGKILL this process at a step of publish() ("copy": after the
# first table was copied into the new file; "replace": the new file is
# complete, right before the rename). Used by e2e/test_publish.py only.
KILL_AT_ENV = "CS_PUBLISH_TEST_KILL_AT"


class PublishError(Exception):
    """A publish that could not be done; the message says what to do."""


@dataclass
class Published:
    path: Path
    as_of_date: dt.date | None
    tables: list[str]
    # The append-only tables that got only the rows the published file
    # lacked (the others were copied whole).
    appended: list[str]


def work_db_path() -> Path:
    """The database dbt builds into (profiles.yml reads the same variable)."""
    return Path(os.environ.get("CS_DUCKDB_PATH") or DEFAULT_WORK_DB)


def published_db_path() -> Path:
    """The file BI reads."""
    return Path(os.environ.get("CS_PUBLISHED_PATH") or DEFAULT_PUBLISHED_DB)


def _sql_string(value: str) -> str:
    """A DuckDB string literal (single quotes doubled)."""
    return "'" + str(value).replace("'", "''") + "'"


def _ident(value: str) -> str:
    return '"' + str(value).replace('"', '""') + '"'


def _maybe_kill(step: str) -> None:
    if os.environ.get(KILL_AT_ENV) == step:
        os.kill(os.getpid(), signal.SIGKILL)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _temp_prefix(published: Path) -> str:
    return f".{published.name}.publish-"


def publish(work_db: str | os.PathLike | None = None,
            published_db: str | os.PathLike | None = None) -> Published:
    """Copy the marts of `work_db` into a new file and rename it over
    `published_db`. Raises PublishError with a readable message."""
    import duckdb

    work = Path(work_db) if work_db else work_db_path()
    target = Path(published_db) if published_db else published_db_path()
    if not work.exists():
        raise PublishError(
            f"no work database at {work}: build first "
            "(python -m cs_segments.run)")
    if work.resolve() == target.resolve():
        raise PublishError(
            f"the work database and the published file are the same file "
            f"({target}); set CS_DUCKDB_PATH (work) and CS_PUBLISHED_PATH "
            "(published) to different files")
    target.parent.mkdir(parents=True, exist_ok=True)

    lock_path = target.parent / f".{target.name}.publish.lock"
    with open(lock_path, "a+") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise PublishError(
                f"another process is publishing to {target} right now; "
                "run again when it has finished") from None
        # Files left by a publish that was killed: nobody else can be
        # writing them while we hold the lock.
        for stale in target.parent.glob(_temp_prefix(target) + "*"):
            stale.unlink(missing_ok=True)

        temp = target.parent / f"{_temp_prefix(target)}{os.getpid()}"
        try:
            result = _write_copy(duckdb, work, temp, target)
            _fsync(temp)
            _maybe_kill("replace")
            os.replace(temp, target)
            _fsync(target.parent)
        except duckdb.Error as exc:
            raise PublishError(
                f"could not copy the marts of {work} to {target}: "
                f"{str(exc).splitlines()[0]}; the published file was left "
                "as it was") from None
        finally:
            _remove_database_file(temp)
    return Published(path=target, as_of_date=result[0], tables=result[1],
                     appended=result[2])


def _remove_database_file(path: Path) -> None:
    """Remove a DuckDB file and its write-ahead log, if there."""
    for leftover in (path, path.with_name(path.name + ".wal")):
        leftover.unlink(missing_ok=True)


def _open_previous_copy(duckdb, target: Path, temp: Path):
    """A connection to `temp`, a byte copy of the published file `target`
    when there is one DuckDB can open; else to a new, empty `temp`."""
    if target.exists():
        try:
            shutil.copyfile(target, temp)
            return duckdb.connect(str(temp)), True
        except (OSError, duckdb.Error):
            temp.unlink(missing_ok=True)
    return duckdb.connect(str(temp)), False


def _columns(con, catalog: str, schema: str, table: str) -> list:
    return con.execute(
        "select column_name, data_type from information_schema.columns"
        " where table_catalog = ? and table_schema = ? and table_name = ?"
        " order by ordinal_position", [catalog, schema, table]).fetchall()


def _is_start_of(con, schema: str, table: str, key: str,
                 start: str, whole: str):
    """(True, the largest `key` of `start`) when table `schema.table` of
    catalog `start` is the start of the same table of catalog `whole`: same
    columns, and `whole` has the same rows up to that key (as many rows,
    and the same rows for the largest key of `start`). (False, None)
    otherwise, or when either has no such table."""
    columns = _columns(con, start, schema, table)
    if not columns or columns != _columns(con, whole, schema, table):
        return False, None
    name, key = f"{_ident(schema)}.{_ident(table)}", _ident(key)
    first, rest = f"{_ident(start)}.{name}", f"{_ident(whole)}.{name}"
    latest, rows = con.execute(
        f"select max({key}), count(*) from {first}").fetchone()
    if latest is None:
        return True, None
    whole_rows = con.execute(
        f"select count(*) from {rest} where {key} <= ?",
        [latest]).fetchone()[0]
    if whole_rows != rows:
        return False, None
    differing = con.execute(
        f"select count(*) from ((select * from {first} where {key} = $1"
        f" except all select * from {rest} where {key} = $1)"
        f" union all (select * from {rest} where {key} = $1"
        f" except all select * from {first} where {key} = $1))",
        [latest]).fetchone()[0]
    return differing == 0, latest


def _current_catalog(con) -> str:
    return con.execute("select current_database()").fetchone()[0]


def _attach_work(con, work: Path) -> list:
    """Attach the work database as `work`; its marts, (schema, table)."""
    con.execute(f"attach {_sql_string(work)} as work (read_only)")
    schemas = ", ".join(_sql_string(s) for s in PUBLISHED_SCHEMAS)
    tables = con.execute(
        "select table_schema, table_name from information_schema.tables"
        f" where table_catalog = 'work' and table_schema in ({schemas})"
        " order by 1, 2").fetchall()
    if not tables:
        raise PublishError(
            f"the work database {work} holds no marts; run the full "
            "build first")
    _check_last_build(con, work)
    return tables


def _reuse(con, tables: list) -> dict:
    """In the new file, a copy of the published one: keep the append-only
    tables it holds the start of (an empty one is copied whole), drop
    everything else. Returns {(schema, table): the largest key kept}."""
    kept = {}
    for (schema, table), key in APPEND_ONLY_TABLES.items():
        if (schema, table) in tables:
            ok, latest = _is_start_of(
                con, schema, table, key, _current_catalog(con), "work")
            if ok and latest is not None:
                kept[(schema, table)] = latest
    _drop_all_but(con, set(kept))
    return kept


def _write_copy(duckdb, work: Path, temp: Path, target: Path):
    con, reused = _open_previous_copy(duckdb, target, temp)
    try:
        tables = _attach_work(con, work)
        kept = {}
        if reused:
            try:
                kept = _reuse(con, tables)
            except duckdb.Error:
                # A published file DuckDB opens but cannot read (truncated,
                # damaged): start again from an empty file, copy all.
                con.close()
                _remove_database_file(temp)
                con = duckdb.connect(str(temp))
                tables = _attach_work(con, work)
                kept = {}
        for schema in sorted({schema for schema, _ in tables}):
            con.execute(f"create schema if not exists {_ident(schema)}")
        copied, appended = [], []
        for schema, table in tables:
            name = f"{_ident(schema)}.{_ident(table)}"
            if (schema, table) in kept:
                key = _ident(APPEND_ONLY_TABLES[(schema, table)])
                con.execute(
                    f"insert into {name} select * from work.{name}"
                    f" where {key} > ?", [kept[(schema, table)]])
                appended.append(f"{schema}.{table}")
            else:
                con.execute(f"create table {name} as "
                            f"select * from work.{name}")
            copied.append(f"{schema}.{table}")
            _maybe_kill("copy")
        as_of = _as_of_date(con, tables)
        con.execute("create schema publish")
        con.execute(
            "create table publish.build_info as select"
            " cast(? as date) as as_of_date,"
            " cast(? as timestamp) as published_at_utc,"
            " cast(? as varchar[]) as published_tables",
            [as_of, dt.datetime.now(dt.timezone.utc).replace(tzinfo=None),
             copied])
        con.execute("detach work")
        con.execute("checkpoint")
    finally:
        con.close()
    return as_of, copied, appended


def _drop_all_but(con, kept: set) -> None:
    """Drop every table, view and schema of the new file (a copy of the
    published one) but the tables in `kept` and their schemas."""
    emptied = set()
    for schema, name, kind in con.execute(
            "select table_schema, table_name, table_type"
            " from information_schema.tables where table_catalog = ?",
            [_current_catalog(con)]).fetchall():
        if (schema, name) not in kept:
            what = "view" if kind == "VIEW" else "table"
            con.execute(f"drop {what} {_ident(schema)}.{_ident(name)}")
            emptied.add(schema)
    for schema in emptied - {schema for schema, _ in kept} - {"main"}:
        con.execute(f"drop schema {_ident(schema)}")


def _check_last_build(con, work: Path) -> None:
    """Refuse marts left by a build that did not finish with every node
    passing (macros/build_status.sql records it in the work database)."""
    recorded = con.execute(
        "select count(*) from information_schema.tables"
        " where table_catalog = 'work' and table_schema = 'cs_build'"
        " and table_name = 'last_invocation'").fetchone()[0]
    if not recorded:
        raise PublishError(
            f"the work database {work} has no build record; run a full "
            "dbt build (python -m cs_segments.run) first")
    status, failed, missing = con.execute(
        "select status, failed_nodes, missing_marts"
        " from work.cs_build.last_invocation").fetchone()
    if status == "running":
        raise PublishError(
            f"the last dbt invocation on {work} did not finish (killed, or "
            "still running); the published file was left as it was. Run "
            "the build again")
    if status != "complete":
        details = []
        if failed:
            details.append(f"{failed} nodes failed or were skipped")
        if missing:
            details.append(f"marts not built: {missing}")
        raise PublishError(
            f"the last dbt invocation on {work} did not pass every test "
            f"and build every mart ({'; '.join(details)}); the published "
            "file was left as it was. Fix the failures and run a full "
            "dbt build")


def _as_of_date(con, tables) -> dt.date | None:
    """The one as-of date of the copied marts (columns named as_of_date);
    refuses to publish a set that mixes several. A snapshot mart holds one
    as-of date; a mart whose as_of_date is a history axis (several dates,
    e.g. the weekly judgements of rpt_churn_signal_backtest) is not a
    snapshot and is not compared."""
    dates = set()
    for schema, table in tables:
        has = con.execute(
            "select count(*) from information_schema.columns"
            " where table_catalog = current_database() and table_schema = ?"
            " and table_name = ? and column_name = 'as_of_date'",
            [schema, table]).fetchone()[0]
        if not has:
            continue
        distinct, only = con.execute(
            f"select count(distinct as_of_date), min(as_of_date)"
            f" from {_ident(schema)}.{_ident(table)}").fetchone()
        if distinct == 1:
            dates.add(only)
    if len(dates) > 1:
        raise PublishError(
            "the marts of the work database mix several as-of dates ("
            + ", ".join(str(d) for d in sorted(dates))
            + "); rebuild them with one dbt build")
    return next(iter(dates)) if dates else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m cs_segments.publish",
        description="Publish the marts of the work database to the file "
                    "BI reads (atomic rename).")
    parser.add_argument("--work", default=str(work_db_path()),
                        help="work database (default env CS_DUCKDB_PATH or "
                             "warehouse/work/cs_segments.duckdb)")
    parser.add_argument("--to", default=str(published_db_path()),
                        help="published file (default env CS_PUBLISHED_PATH "
                             "or warehouse/cs_segments.duckdb)")
    args = parser.parse_args(argv)
    try:
        result = publish(args.work, args.to)
    except PublishError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"Published {len(result.tables)} tables as of {result.as_of_date} "
          f"to {result.path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
