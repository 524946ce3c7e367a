"""Atomic publishing to the file BI reads, and no PII in it (issue 9, points
1, 5 and 6).

The published file (cs_segments/publish.py) must hold the marts and nothing
else, with one as-of date and no personal data in any value; a build killed
at any point (staging, intermediate, marts, in the middle of a publish) or
failing a test leaves the last published file byte for byte as it was and
readable, and the next build succeeds; a reader holding the published file
open neither blocks a build nor sees a mix of two builds.

The baseline published file is copied from the session's full build
(`full_db`); the builds here run the main command in a subprocess on the
session's generated data (300 accounts) and are killed by SIGKILL when a
given line appears in its log.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from conftest import REPO_ROOT
from cs_segments import inputs
from cs_segments.publish import KILL_AT_ENV, PublishError, publish

# An e-mail address anywhere in a value.
EMAIL_PATTERN = r"[a-z0-9._%+-]+@[a-z0-9-]+(\.[a-z0-9-]+)+"

# The marts with the current as-of date in a column `as_of_date`.
AS_OF_SQL = " union ".join(
    f"select distinct as_of_date from marts.{table}"
    for table in ("dim_accounts", "fct_account_segments",
                  "account_segment_matrix", "rpt_static_vs_dynamic",
                  "rpt_csm_worklist")
)

# A BI reader: opens the published file once, prints the as-of dates it
# sees in every mart (json), and again each time a line arrives on stdin.
READER = f"""
import json, sys, duckdb
con = duckdb.connect(sys.argv[1], read_only=True)
def seen():
    dates = sorted(str(r[0]) for r in con.execute({AS_OF_SQL!r}).fetchall())
    rows = con.execute("select count(*) from marts.dim_accounts").fetchone()
    return {{"as_of": dates, "accounts": rows[0]}}
print(json.dumps(seen()), flush=True)
for _ in sys.stdin:
    print(json.dumps(seen()), flush=True)
"""


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _published_state(path: Path) -> dict:
    """What a new BI connection sees; fails if the file is not whole."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        schemas = {row[0] for row in con.execute(
            "select distinct table_schema from information_schema.tables"
        ).fetchall()}
        dates = {row[0] for row in con.execute(AS_OF_SQL).fetchall()}
        info = con.execute(
            "select as_of_date, published_tables from publish.build_info"
        ).fetchall()
        counts = {
            table: con.execute(f"select count(*) from {table}").fetchone()[0]
            for table in info[0][1]
        }
    finally:
        con.close()
    return {"schemas": schemas, "as_of": dates, "info": info,
            "counts": counts}


def _assert_whole(path: Path, as_of: dt.date) -> None:
    state = _published_state(path)
    assert state["schemas"] == {"marts", "publish"}, state["schemas"]
    assert state["as_of"] == {as_of}, state["as_of"]
    assert len(state["info"]) == 1 and state["info"][0][0] == as_of
    assert state["counts"]["marts.dim_accounts"] > 0


# --------------------------------------------------------------------------
# what is published
# --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def published_db(full_db, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("published") / "cs_segments.duckdb"
    publish(full_db, path)
    return path


def test_published_file_holds_the_marts_only(full_db, published_db):
    con = duckdb.connect()
    try:
        con.execute(f"attach '{full_db}' as work (read_only)")
        con.execute(f"attach '{published_db}' as pub (read_only)")
        work_marts = con.execute(
            "select table_name from information_schema.tables"
            " where table_catalog = 'work' and table_schema = 'marts'"
            " order by 1").fetchall()
        published = con.execute(
            "select table_schema, table_name from information_schema.tables"
            " where table_catalog = 'pub' order by 1, 2").fetchall()
        assert len(work_marts) >= 9
        assert published == (
            [("marts", name) for (name,) in work_marts]
            + [("publish", "build_info")])
        for (name,) in work_marts:
            diff = con.execute(
                f"select count(*) from ((from work.marts.{name} except all"
                f" from pub.marts.{name}) union all (from pub.marts.{name}"
                f" except all from work.marts.{name}))").fetchone()[0]
            assert diff == 0, name
    finally:
        con.close()
    (as_of,) = _published_state(published_db)["as_of"]
    _assert_whole(published_db, as_of)


def _pii_hits(db_path: Path, schemas: list[str], raw_dir: Path) -> list:
    """(schema.table.column, value) for text values holding an e-mail
    address, or a word equal to a user's e-mail, e-mail handle (the part
    before @) or user_id from the raw users file. Every text column of every
    table is scanned (numbers and dates cannot hold either); a value is
    split into words at anything but letters, digits and . _ @ + -."""
    con = duckdb.connect()
    try:
        con.execute(f"attach '{db_path}' as db (read_only)")
        con.execute(
            "create table raw_words as"
            " select lower(email) as word from read_parquet("
            f"'{raw_dir}/users.parquet') union"
            " select lower(split_part(email, '@', 1)) from read_parquet("
            f"'{raw_dir}/users.parquet') union"
            " select lower(user_id) from read_parquet("
            f"'{raw_dir}/users.parquet')")
        assert con.execute("select count(*), min(length(word))"
                           " from raw_words").fetchone()[1] >= 4
        columns = con.execute(
            "select table_schema, table_name, column_name"
            " from information_schema.columns where table_catalog = 'db'"
            " and data_type = 'VARCHAR' and table_schema in (" + ", ".join(
                f"'{s}'" for s in schemas) + ")").fetchall()
        assert columns
        hits = []
        for schema, table, column in columns:
            found = con.execute(
                f"""
                with scanned as (
                    select distinct lower("{column}") as value
                    from db."{schema}"."{table}"
                    where "{column}" is not null
                ),
                words as (
                    select
                        value,
                        unnest(regexp_split_to_array(
                            value, '[^a-z0-9_.@+-]+')) as word
                    from scanned
                )
                select distinct value from words
                where regexp_matches(word, '^{EMAIL_PATTERN}$')
                    or word in (select word from raw_words)
                limit 3
                """).fetchall()
            hits += [(f"{schema}.{table}.{column}", v) for (v,) in found]
        return hits
    finally:
        con.close()


def test_published_values_hold_no_pii(full_db, published_db, generated_raw):
    # The scan finds the e-mails and user ids where they are (staging of
    # the work database): it can fail.
    staged = _pii_hits(full_db, ["staging"], generated_raw)
    assert any(".stg_raw__users.email" in where for where, _ in staged)
    assert any(".stg_raw__users.user_id" in where for where, _ in staged)
    # ... and none in any value of the published file.
    assert _pii_hits(published_db, ["marts", "publish"], generated_raw) == []


# --------------------------------------------------------------------------
# killed in the middle of a publish
# --------------------------------------------------------------------------


@pytest.mark.parametrize("step", ["copy", "replace"])
def test_publish_killed_leaves_the_published_file_whole(full_db, tmp_path,
                                                        step):
    published = tmp_path / "cs_segments.duckdb"
    publish(full_db, published)
    (as_of,) = _published_state(published)["as_of"]
    before = _sha256(published)

    env = dict(os.environ, **{KILL_AT_ENV: step})
    proc = subprocess.run(
        [sys.executable, "-m", "cs_segments.publish", "--work", str(full_db),
         "--to", str(published)],
        cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=300,
        check=False)
    assert proc.returncode == -signal.SIGKILL, proc.stdout + proc.stderr
    # It died with its new file half (copy) or fully (replace) written.
    assert list(tmp_path.glob(".cs_segments.duckdb.publish-*"))
    assert _sha256(published) == before
    _assert_whole(published, as_of)

    # The next publish succeeds and clears what the killed one left.
    publish(full_db, published)
    _assert_whole(published, as_of)
    assert not list(tmp_path.glob(".cs_segments.duckdb.publish-*"))


# --------------------------------------------------------------------------
# builds killed, failing, and read while they run
# --------------------------------------------------------------------------


def _main(args: list[str], tmp: Path) -> list[str]:
    """The main command on the work database and published file of `tmp`.
    Without dbt's unit tests: what these tests check does not depend on
    them, and the suite's demo build runs them (e2e/test_build.py)."""
    return [sys.executable, "-m", "cs_segments.run", *args,
            "--db", str(tmp / "work" / "wh.duckdb"),
            "--publish-to", str(tmp / "cs_segments.duckdb"),
            "--no-unit-tests"]


def _env(tmp: Path) -> dict:
    return dict(os.environ, PYTHONUNBUFFERED="1",
                DBT_PROFILES_DIR=str(REPO_ROOT),
                DBT_TARGET_PATH=str(tmp / "target"),
                DBT_LOG_PATH=str(tmp / "logs"))


def _run_killed_at(args: list[str], tmp: Path, pattern: str) -> str:
    """Run the main command; SIGKILL it (and its children) when a log line
    matches `pattern`. Returns the output; fails if it never matched."""
    proc = subprocess.Popen(
        _main(args, tmp), cwd=REPO_ROOT, env=_env(tmp),
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        start_new_session=True)
    lines = []
    matched = False
    try:
        for line in proc.stdout:
            lines.append(line)
            if re.search(pattern, line):
                os.killpg(proc.pid, signal.SIGKILL)
                matched = True
                break
    finally:
        if not matched:
            proc.kill()
        proc.wait(timeout=120)
        proc.stdout.close()
    output = "".join(lines)
    assert matched, f"no line matched {pattern!r}:\n{output[-3000:]}"
    assert proc.returncode == -signal.SIGKILL
    return output


def test_killed_builds_never_touch_what_bi_reads(
        full_db, generated_raw, tmp_path):
    published = tmp_path / "cs_segments.duckdb"
    publish(full_db, published)
    (old_as_of,) = _published_state(published)["as_of"]
    new_as_of = old_as_of - dt.timedelta(days=61)
    before = _sha256(published)
    args = ["--raw-dir", str(generated_raw),
            "--as-of-date", new_as_of.isoformat()]

    # A BI reader holds the published file open for the whole test.
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(published)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)

    def reader_sees() -> dict:
        reader.stdin.write("\n")
        reader.stdin.flush()
        return json.loads(reader.stdout.readline())

    try:
        first = json.loads(reader.stdout.readline())
        assert first["as_of"] == [str(old_as_of)]

        for pattern in (
            r"START sql \w+ model staging\.base_raw__usage_events",
            r"OK created sql \w+ model intermediate\.",
            r"OK created sql table model marts\.dim_accounts",
        ):
            _run_killed_at(args, tmp_path, pattern)
            assert _sha256(published) == before, pattern
            _assert_whole(published, old_as_of)
            assert reader_sees() == first
            # Publishing by hand what the killed build left is refused.
            with pytest.raises(PublishError, match="did not finish"):
                publish(tmp_path / "work" / "wh.duckdb", published)
            assert _sha256(published) == before, pattern

        # The next build succeeds while the reader still holds the file.
        done = subprocess.run(
            _main(args, tmp_path), cwd=REPO_ROOT, env=_env(tmp_path),
            capture_output=True, text=True, timeout=900, check=False)
        shown = done.stdout + done.stderr
        assert done.returncode == 0, shown[-3000:]
        assert f"Published the marts as of {new_as_of}" in shown
        assert "Traceback" not in shown
        assert "Unit tests: left out (--no-unit-tests)" in shown, shown
        kinds = {result["unique_id"].split(".")[0] for result in json.loads(
            (tmp_path / "target" / "run_results.json").read_text()
        )["results"]}
        assert "unit_test" not in kinds and "test" in kinds, kinds
        # Its record does not say this code passed the unit tests, so the
        # next run without the flag runs them.
        record = json.loads(inputs.record_path(published).read_text())
        assert record[inputs.UNIT_TESTS_PASSED] is False, record
        _assert_whole(published, new_as_of)
        # The open reader keeps the set it opened, whole; a new one sees
        # the new set.
        assert reader_sees() == first
    finally:
        reader.stdin.close()
        reader.wait(timeout=60)
        reader.stdout.close()
    assert reader.returncode == 0


def test_failing_build_publishes_nothing(full_db, generated_raw, tmp_path):
    """A test fails (as of 2020 no catalog segment has a member:
    assert_catalog_segments_produced): the build stops, nothing is
    published. Its own work database: a build at another as-of date leaves
    weekly membership rows in the incremental table of the work database
    (see the report of issue 9)."""
    published = tmp_path / "cs_segments.duckdb"
    publish(full_db, published)
    (old_as_of,) = _published_state(published)["as_of"]
    before = _sha256(published)
    failing = subprocess.run(
        _main(["--raw-dir", str(generated_raw), "--as-of-date",
               "2020-01-01"], tmp_path),
        cwd=REPO_ROOT, env=_env(tmp_path), capture_output=True,
        text=True, timeout=900, check=False)
    shown = failing.stdout + failing.stderr
    assert failing.returncode == 1, shown[-3000:]
    assert "The build failed:\n  - test.cs_segments." in shown, shown[-3000:]
    assert "Nothing was published" in shown
    assert "Traceback" not in shown
    assert _sha256(published) == before
    _assert_whole(published, old_as_of)
    # Publishing by hand what the failing build left is refused.
    with pytest.raises(PublishError, match="did not pass every test"):
        publish(tmp_path / "work" / "wh.duckdb", published)
    assert _sha256(published) == before


# --------------------------------------------------------------------------
# the as-published log: appended, not copied whole (a fake work database:
# what is checked is the copy, not the build)
# --------------------------------------------------------------------------

LOG = "marts.fct_segment_membership_published"


def _fake_work(path: Path, publications: list[list[str]],
               as_of: str = "2026-06-30") -> None:
    """A work database with a finished build, one snapshot mart and a log
    whose publication n (1, 2, ...) holds the accounts publications[n-1]."""
    con = duckdb.connect(str(path))
    try:
        for schema in ("marts", "cs_build", "staging"):
            con.execute(f"create schema if not exists {schema}")
        con.execute("create or replace table cs_build.last_invocation as "
                    "select 'complete' as status, 0 as failed_nodes, "
                    "'' as missing_marts")
        con.execute("create or replace table marts.dim_accounts as select "
                    f"date '{as_of}' as as_of_date, 'a' as account_id")
        con.execute("create or replace table staging.secret as select 1 as x")
        con.execute(f"create or replace table {LOG} (publication_number "
                    "integer, account_id varchar, segment_key varchar)")
        for number, accounts in enumerate(publications, start=1):
            con.executemany(f"insert into {LOG} values (?, ?, 'seg')",
                            [(number, account) for account in accounts])
    finally:
        con.close()


def _append_publication(path: Path, accounts: list[str]) -> None:
    con = duckdb.connect(str(path))
    try:
        (number,) = con.execute(
            f"select coalesce(max(publication_number), 0) + 1 from {LOG}"
        ).fetchone()
        con.executemany(
            f"insert into {LOG} (publication_number, account_id, segment_key)"
            " values (?, ?, 'seg')",
            [(number, account) for account in accounts])
    finally:
        con.close()


def _rows(path: Path, table: str) -> list[tuple]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(f"select * from {table} order by all").fetchall()
    finally:
        con.close()


def test_publish_appends_the_log_and_copies_the_rest(tmp_path):
    work, published = tmp_path / "work.duckdb", tmp_path / "pub.duckdb"
    _fake_work(work, [["a", "b"], ["a"]])
    first = publish(work, published)
    assert first.appended == []  # no published file yet: copied whole
    assert _rows(published, LOG) == _rows(work, LOG)

    # The next runs: the log grows, the snapshot mart is rebuilt.
    for day, accounts in (("2026-07-01", ["a", "c"]),
                          ("2026-07-02", ["c"])):
        _append_publication(work, accounts)
        con = duckdb.connect(str(work))
        con.execute("create or replace table marts.dim_accounts as select "
                    f"date '{day}' as as_of_date, 'c' as account_id")
        con.close()
        result = publish(work, published)
        assert result.appended == [LOG]
        assert result.as_of_date == dt.date.fromisoformat(day)
        assert _rows(published, LOG) == _rows(work, LOG)
        assert _rows(published, "marts.dim_accounts") == [
            (dt.date.fromisoformat(day), "c")]
    state = _published_state_schemas(published)
    assert state == {"marts", "publish"}, state
    # A publish with nothing new appends nothing and keeps every row.
    again = publish(work, published)
    assert again.appended == [LOG]
    assert _rows(published, LOG) == _rows(work, LOG)


def _published_state_schemas(path: Path) -> set:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return {row[0] for row in con.execute(
            "select distinct table_schema from information_schema.tables"
        ).fetchall()}
    finally:
        con.close()


@pytest.mark.parametrize("change", ["rebuilt", "latest_differs",
                                    "fewer_rows", "other_columns"])
def test_publish_copies_a_log_that_is_not_the_published_one_whole(
        tmp_path, change):
    """A published log that is not the start of the work one (dropped and
    rebuilt by hand, another work database, another version of the
    columns) is replaced whole, never appended to."""
    work, published = tmp_path / "work.duckdb", tmp_path / "pub.duckdb"
    _fake_work(work, [["a", "b"], ["a"]])
    publish(work, published)
    if change == "rebuilt":
        # Dropped and rebuilt: as many publications, other rows.
        _fake_work(work, [["x"], ["y", "z"], ["z"]])
    elif change == "latest_differs":
        # Same number of rows up to the published latest, other rows in it.
        con = duckdb.connect(str(work))
        con.execute(f"update {LOG} set account_id = 'q' "
                    "where publication_number = 2")
        con.close()
        _append_publication(work, ["c"])
    elif change == "fewer_rows":
        con = duckdb.connect(str(work))
        con.execute(f"delete from {LOG} where account_id = 'b'")
        con.close()
        _append_publication(work, ["c"])
    else:
        con = duckdb.connect(str(work))
        con.execute(f"alter table {LOG} add column evidence varchar")
        con.close()
        _append_publication(work, ["c"])
    result = publish(work, published)
    assert result.appended == []
    assert _rows(published, LOG) == _rows(work, LOG)


def test_publish_replaces_a_published_file_duckdb_cannot_open(tmp_path):
    work, published = tmp_path / "work.duckdb", tmp_path / "pub.duckdb"
    _fake_work(work, [["a"]])
    published.write_bytes(b"not a database")
    result = publish(work, published)
    assert result.appended == []
    assert _rows(published, LOG) == _rows(work, LOG)


def test_publish_replaces_a_published_file_duckdb_cannot_read(tmp_path):
    """A published file cut short opens, but its tables cannot be read:
    the publish copies everything, as before the log was appended to."""
    work, published = tmp_path / "work.duckdb", tmp_path / "pub.duckdb"
    _fake_work(work, [["a"] * 1000, ["b"] * 1000])
    publish(work, published)
    size = published.stat().st_size
    with published.open("r+b") as handle:
        handle.truncate(size * 6 // 10)
    result = publish(work, published)
    assert result.appended == []
    assert _rows(published, LOG) == _rows(work, LOG)


def test_next_build_drops_the_publication_of_an_unfinished_build(
        full_db, generated_raw, tmp_path):
    """A build that was killed (or failed) after it appended a publication
    to the as-published log was never published. The next build removes
    that publication before it runs (macros/build_status.sql), compares
    with the last finished one, and the published log never holds it; a
    publication of any other invocation stays. Here the work database gets
    two publications by hand: one of a finished invocation, then one of
    the invocation its build record says was killed."""
    work = tmp_path / "work" / "wh.duckdb"
    work.parent.mkdir()
    shutil.copyfile(full_db, work)
    published = tmp_path / "cs_segments.duckdb"
    publish(work, published)
    con = duckdb.connect(str(work))
    try:
        for invocation in ("finished-run", "killed-run"):
            con.execute(
                f"insert into {LOG} select * replace ("
                " publication_number + 1 as publication_number,"
                f" '{invocation}' as dbt_invocation_id)"
                f" from {LOG} where publication_number ="
                f" (select max(publication_number) from {LOG})")
        con.execute("update cs_build.last_invocation set status = 'running',"
                    " invocation_id = 'killed-run'")
    finally:
        con.close()
    run = subprocess.run(
        _main(["--raw-dir", str(generated_raw)], tmp_path),
        cwd=REPO_ROOT, env=_env(tmp_path), capture_output=True, text=True,
        timeout=900, check=False)
    shown = run.stdout + run.stderr
    assert run.returncode == 0, shown[-3000:]
    assert "removed publication 3 " in shown, shown[-3000:]
    for path in (work, published):
        con = duckdb.connect(str(path), read_only=True)
        try:
            invocations = {row[0] for row in con.execute(
                f"select distinct dbt_invocation_id from {LOG}").fetchall()}
        finally:
            con.close()
        assert "killed-run" not in invocations, path
        assert "finished-run" in invocations, path
