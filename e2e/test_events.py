"""`python -m cs_segments.events`: event names of the usage data against the
event catalog, with counts checked by hand on a tiny CSV folder and against
the dbt staging of the demo data; error messages without tracebacks.
"""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO_ROOT, query
from cs_segments import events

# A tiny usage export. 2024-01-01 is a Monday: weeks W1 = 1-7 Jan,
# W2 = 8-14 Jan, W3 = 15-21 Jan.
TINY_USAGE = """\
event_id,account_id,user_id,event_name,occurred_at,quantity
e1,A1,u1,login,2024-01-01 09:00:00,
e2,a1,u1,Login ,2024-01-02 09:00:00,1
e3,a2,,login,2024-01-08 10:00:00,
e4,a1,u1,teleport,2024-01-01 10:00:00,3
e5,a2,,teleport,2024-01-09,2
e6,a3,,beam,2024-01-10,
e7,a1,,search,2024-01-15,5
e8,a3,, ,2024-01-10,
"""

# Worked out by hand from TINY_USAGE (names trimmed and lower-cased, an
# empty quantity counts 1): (rows, events, accounts, account-weeks).
#   login:    e1 e2 (a1, W1), e3 (a2, W2)      -> 3 rows, 3 events, 2, 2
#   teleport: e4 (a1, W1) 3, e5 (a2, W2) 2     -> 2 rows, 5 events, 2, 2
#   search:   e7 (a1, W3) 5                    -> 1 row,  5 events, 1, 1
#   beam:     e6 (a3, W2)                      -> 1 row,  1 event,  1, 1
#   (empty):  e8 (a3, W2)                      -> 1 row,  1 event,  1, 1
# Accounts with usage: a1 a2 a3 = 3. Active account-weeks: (a1, W1),
# (a1, W3), (a2, W2), (a3, W2) = 4.
TINY_EXPECTED = {
    "login": (3, 3, 2, 2),
    "teleport": (2, 5, 2, 2),
    "search": (1, 5, 1, 1),
    "beam": (1, 1, 1, 1),
    None: (1, 1, 1, 1),
}


@pytest.fixture()
def tiny_dir(tmp_path) -> Path:
    folder = tmp_path / "export"
    folder.mkdir()
    (folder / "usage_events.csv").write_text(TINY_USAGE)
    return folder


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "cs_segments.events", *args],
        capture_output=True, text=True, cwd=REPO_ROOT, timeout=120,
        check=False)


def test_tiny_csv_counts(tiny_dir):
    catalog = events.read_catalog(events.DEFAULT_CATALOG)
    stats, totals = events.event_stats(tiny_dir / "usage_events.csv", "csv",
                                       catalog)
    got = {s.event_name: (s.rows, s.events, s.accounts, s.account_weeks)
           for s in stats}
    assert got == TINY_EXPECTED
    assert (totals.rows, totals.accounts, totals.account_weeks) == (8, 3, 4)
    assert {s.event_name for s in stats if not s.in_catalog} == {
        "teleport", "beam", None}
    # Sorted by account-weeks, accounts, events (descending), then name.
    assert [s.event_name for s in stats] == [
        "teleport", "login", "search", None, "beam"]


def test_key_feature_suggestion_band_and_limit(tiny_dir):
    catalog = events.read_catalog(events.DEFAULT_CATALOG)
    stats, totals = events.event_stats(tiny_dir / "usage_events.csv", "csv",
                                       catalog)
    # teleport and login: 2 of 4 weeks = 50%; search and beam: 25%.
    events.suggest_key_features(stats, totals, min_share=0.3, max_share=0.9,
                                max_features=5)
    assert {s.event_name for s in stats if s.suggest_key} == {
        "teleport", "login"}
    events.suggest_key_features(stats, totals, min_share=0.1, max_share=0.4,
                                max_features=5)
    assert {s.event_name for s in stats if s.suggest_key} == {
        "search", "beam"}
    beam = next(s for s in stats if s.event_name == "beam")
    assert "used in 25% of the active account-weeks" in beam.reason
    events.suggest_key_features(stats, totals, min_share=0.1, max_share=0.9,
                                max_features=1)
    assert [s.event_name for s in stats if s.suggest_key] == ["teleport"]
    login = next(s for s in stats if s.event_name == "login")
    assert "not among the 1 most habitual" in login.reason


def test_cli_prints_the_table_and_the_unknown_share(tiny_dir, tmp_path):
    out = tmp_path / "starter.csv"
    done = _cli("--raw-dir", str(tiny_dir), "--raw-format", "csv",
                "--write-catalog", str(out))
    assert done.returncode == 0, done.stderr
    text = done.stdout
    assert "Traceback" not in text + done.stderr
    # 4 of 8 rows (teleport 2, beam 1, empty 1) are not in the catalog.
    assert "Not in the catalog: 3 of 5 names, 4 of 8 rows (50.0%)." in text
    lines = {line.split()[0]: line.split() for line in text.splitlines()
             if line.split() and line.split()[0] in ("login", "teleport")}
    assert lines["teleport"][:6] == ["teleport", "NO", "2", "5", "2", "67%"]
    assert lines["login"][:7] == ["login", "yes", "3", "3", "2", "67%", "50%"]
    with open(out, newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["event_name"] for r in rows] == [
        "teleport", "login", "search", "beam"]
    by_name = {r["event_name"]: r for r in rows}
    # Catalog rows are kept as they are; new names are to review.
    assert by_name["login"] == {"event_name": "login", "feature_area": "core",
                                "is_key_feature": "false",
                                "description": "A user signed in"}
    assert by_name["teleport"]["feature_area"] == "unassigned"
    assert by_name["teleport"]["is_key_feature"] == "true"
    assert by_name["teleport"]["description"].startswith("TO REVIEW: used in"
                                                         " 50% of the active")
    # The file is a valid seed: same columns as seeds/event_catalog.csv.
    with open(events.DEFAULT_CATALOG, newline="") as handle:
        assert csv.DictReader(handle).fieldnames == list(rows[0])
    # An existing file is not overwritten without --force.
    again = _cli("--raw-dir", str(tiny_dir), "--raw-format", "csv",
                 "--write-catalog", str(out))
    assert again.returncode == 1
    assert "exists" in again.stderr and "--force" in again.stderr


@pytest.mark.parametrize("case", ["no_folder", "no_file", "wrong_format",
                                  "empty_file", "no_column", "bad_format"])
def test_cli_errors_are_one_message(case, tmp_path):
    folder = tmp_path / "export"
    folder.mkdir()
    args = ["--raw-dir", str(folder), "--raw-format", "csv"]
    if case == "no_folder":
        args[1] = str(tmp_path / "missing")
        expected = "raw folder not found"
    elif case == "no_file":
        expected = "no usage_events.csv in"
    elif case == "wrong_format":
        (folder / "usage_events.parquet").write_bytes(b"")
        expected = "use --raw-format parquet"
    elif case == "empty_file":
        (folder / "usage_events.csv").write_text("")
        expected = "is empty"
    elif case == "no_column":
        (folder / "usage_events.csv").write_text(
            "event_id,account_id,occurred_at\ne1,a1,2024-01-01\n")
        expected = "lacks required column(s): event_name"
    else:
        args[3] = "xlsx"
        expected = "--raw-format must be csv or parquet"
    done = _cli(*args)
    assert done.returncode == 1
    assert expected in done.stderr, done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert "Traceback" not in done.stdout + done.stderr


def test_cli_header_only_file(tmp_path):
    folder = tmp_path / "export"
    folder.mkdir()
    (folder / "usage_events.csv").write_text(
        "event_id,account_id,user_id,event_name,occurred_at,quantity\n")
    done = _cli("--raw-dir", str(folder), "--raw-format", "csv")
    assert done.returncode == 0, done.stderr
    assert "has no rows" in done.stdout


def test_demo_counts_equal_dbt_staging(full_db, generated_raw):
    """The command reads the demo parquet as dbt does: per event name, the
    same rows, events (sum of quantity) and accounts as stg_raw__usage_events
    (the demo has no quarantined usage)."""
    assert query(full_db, "select count(*) from"
                 " staging.stg_raw__usage_events__quarantine") == [(0,)]
    catalog = events.read_catalog(events.DEFAULT_CATALOG)
    stats, totals = events.event_stats(
        generated_raw / "usage_events.parquet", "parquet", catalog)
    got = {s.event_name: (s.rows, s.events, s.accounts) for s in stats}
    staged = {name: (n, int(e), a) for name, n, e, a in query(full_db, """
        select event_name, count(*), sum(quantity), count(distinct account_id)
        from staging.stg_raw__usage_events group by 1""")}
    assert got == staged
    assert all(s.in_catalog for s in stats)
    assert totals.accounts == query(
        full_db, "select count(distinct account_id)"
                 " from staging.stg_raw__usage_events")[0][0]
    events.suggest_key_features(stats, totals)
    # login is used in nearly every active week: never a suggested key.
    assert "login" not in {s.event_name for s in stats if s.suggest_key}
    assert sum(s.suggest_key for s in stats) == events.KEY_MAX_FEATURES
