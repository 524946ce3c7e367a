"""Segment diff: what a change to the project does to the segmentation.

    python -m cs_segments.diff --base <git ref> [--raw-dir DIR]
        [--raw-format parquet|csv] [--as-of-date YYYY-MM-DD] [--top 20]
        [--out-dir target/segment_diff] [--fail-above-arr-share 0.05]
        [--project-dir .] [--cache-dir warehouse/diff_cache]

Builds the base version (the git ref, exported with `git archive`) and the
head version (the working tree of --project-dir) on the same raw files and
the same as-of date, and compares their current segments:

* per segment: accounts before, after, entering, leaving, and the ARR of
  those entering (head ARR) and leaving (base ARR);
* the static pyramid's tier-to-tier moves (accounts and head ARR);
* per account whose segments change: segments before and after (top N by
  ARR in the report, all of them in accounts.csv);
* what caused it: the models dbt reports as `state:modified` against the
  base manifest, and the vars that differ between the two dbt_project.yml
  files (dbt 1.11 does not track var values in state:modified).

Writes report.md (ready to paste as a pull-request comment), diff.json and
accounts.csv to --out-dir and prints the Markdown. Exit status: 0, or 1 when
--fail-above-arr-share is given and a larger share of ARR changes segment,
or 2 on an error (one message, no traceback).

The base is built once per (base commit, raw files, as-of date) into a cache
(--cache-dir): seeds and models, no tests. The head is built by copying the
base warehouse and rebuilding only `state:modified+` (plus the models that
read a changed var, and their children) into the copy, with --full-refresh,
so unchanged models keep the base tables.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
# dbt-duckdb names a database after its file; both builds use this name so
# the relations of base and head compare equal in dbt's state comparison.
DB_NAME = "cs_segments.duckdb"
# The tables the diff reads (the public marts).
REQUIRED_TABLES = ("marts.dim_accounts", "marts.fct_account_segments",
                   "marts.dim_segments")
# Raw tables whose latest date is the default as-of date, in order
# (README, "The as-of date").
AS_OF_CANDIDATES = (("usage_events", "occurred_at"),
                    ("invoices", "issued_at"),
                    ("subscriptions", "start_date"))
NO_TIER = "(none)"


class DiffError(Exception):
    """A problem reported to the user as one message."""


# ---------------------------------------------------------------- dbt runs


def dbt_executable() -> str:
    """The dbt of this Python environment."""
    candidate = Path(sys.executable).with_name("dbt")
    return str(candidate) if candidate.exists() else "dbt"


def run_dbt(args: list[str], *, project_dir: Path, db_path: Path,
            raw_dir: Path, raw_format: str, work_dir: Path,
            dbt_vars: dict | None = None,
            quiet: bool = False) -> subprocess.CompletedProcess:
    """Run one dbt command as a subprocess on the DuckDB target.

    The project's own profiles.yml is used; target and logs go to
    `work_dir`. Returns the completed process (output captured).
    """
    work_dir.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    env.update({
        "CS_DBT_TARGET": "duckdb",
        "CS_DUCKDB_PATH": str(db_path),
        "CS_RAW_DIR": str(raw_dir),
        "CS_RAW_FORMAT": raw_format,
        "DBT_PROFILES_DIR": str(project_dir),
        "DBT_TARGET_PATH": str(work_dir / "target"),
        "DBT_LOG_PATH": str(work_dir / "logs"),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    })
    cmd = [dbt_executable()] + (["--quiet"] if quiet else []) + list(args)
    cmd += ["--project-dir", str(project_dir),
            "--profiles-dir", str(project_dir)]
    if dbt_vars:
        cmd += ["--vars", json.dumps(dbt_vars)]
    return subprocess.run(cmd, env=env, capture_output=True, text=True,
                          check=False, cwd=project_dir)


def _dbt_failure(step: str, done: subprocess.CompletedProcess) -> DiffError:
    lines = [line for line in (done.stdout + done.stderr).splitlines()
             if line.strip()]
    errors = [line for line in lines
              if "error" in line.lower() or "fail" in line.lower()]
    shown = (errors or lines)[-15:]
    return DiffError(f"{step} failed (dbt exit {done.returncode}):\n  "
                     + "\n  ".join(shown))


# ------------------------------------------------------------------- inputs


def _git(project_dir: Path, *args: str) -> str:
    done = subprocess.run(["git", "-C", str(project_dir), *args],
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise DiffError(f"git {' '.join(args)} failed in {project_dir}: "
                        f"{done.stderr.strip()}")
    return done.stdout.strip()


def resolve_commit(project_dir: Path, ref: str) -> str:
    """The commit id of `ref` in the repository of `project_dir`."""
    try:
        return _git(project_dir, "rev-parse", "--verify", "--quiet",
                    f"{ref}^{{commit}}")
    except DiffError:
        raise DiffError(f"--base {ref!r} is not a commit of the git "
                        f"repository at {project_dir}") from None


def export_commit(project_dir: Path, commit: str, dest: Path) -> None:
    """The files of `commit` (git archive) extracted into `dest`."""
    done = subprocess.run(["git", "-C", str(project_dir), "archive",
                           "--format=tar", commit],
                          capture_output=True, check=False)
    if done.returncode != 0:
        raise DiffError(f"git archive {commit} failed: "
                        f"{done.stderr.decode(errors='replace').strip()}")
    dest.mkdir(parents=True, exist_ok=True)
    with tarfile.open(fileobj=io.BytesIO(done.stdout)) as archive:
        _extract_all(archive, dest)


def _extract_all(archive: tarfile.TarFile, dest: Path) -> None:
    """Extract `archive` into `dest`, refusing members that leave `dest`.

    Python 3.11.4+ does this with the "data" filter; older 3.11 releases
    (Debian 12's python3.11 is 3.11.2) have no `filter` argument, so the
    member paths are checked here instead.
    """
    if hasattr(tarfile, "data_filter"):
        try:
            archive.extractall(dest, filter="data")
        except tarfile.FilterError as error:
            raise DiffError(f"refusing to extract: {error}") from None
        return
    root = dest.resolve()
    for member in archive.getmembers():
        target = (root / member.name).resolve()
        if target != root and root not in target.parents:
            raise DiffError(f"refusing to extract {member.name!r}: "
                            f"outside {dest}")
        if member.issym() or member.islnk():
            base = target.parent if member.issym() else root
            link = (base / member.linkname).resolve()
            if link != root and root not in link.parents:
                raise DiffError(f"refusing to extract {member.name!r}: "
                                f"links outside {dest}")
    archive.extractall(dest)


def raw_fingerprint(raw_dir: Path, raw_format: str) -> str:
    """Hash of the raw files' names, sizes and modification times."""
    digest = hashlib.sha256(raw_format.encode())
    files = sorted(path for path in raw_dir.glob(f"*.{raw_format}"))
    if not files:
        raise DiffError(f"no *.{raw_format} files in {raw_dir}")
    for path in files:
        stat = path.stat()
        digest.update(f"{path.name}:{stat.st_size}:{stat.st_mtime_ns};"
                      .encode())
    return digest.hexdigest()


def default_as_of_date(raw_dir: Path, raw_format: str) -> str:
    """The build's default as-of date: the latest usage event, else the
    latest invoice, else the latest subscription start, read from the raw
    files. Pinned once so that base and head use the same date."""
    import duckdb

    con = duckdb.connect()
    try:
        for table, column in AS_OF_CANDIDATES:
            path = raw_dir / f"{table}.{raw_format}"
            if not path.exists():
                continue
            reader = (f"read_parquet('{path}')" if raw_format == "parquet"
                      else f"read_csv('{path}', all_varchar = true)")
            try:
                latest = con.execute(
                    f"select max(try_cast(cast({column} as varchar) "
                    f"as timestamp))::date from {reader}").fetchone()[0]
            except duckdb.Error as error:
                raise DiffError(f"cannot read {column} from {path}: "
                                f"{error}") from None
            if latest is not None:
                return latest.isoformat()
    finally:
        con.close()
    raise DiffError("cannot infer the as-of date (no usage events, invoices "
                    "or subscriptions); pass --as-of-date YYYY-MM-DD")


# ------------------------------------------------------------- vars + nodes


def _project_vars(project_dir: Path) -> dict:
    path = project_dir / "dbt_project.yml"
    try:
        data = yaml.safe_load(path.read_text()) or {}
    except (OSError, yaml.YAMLError) as error:
        raise DiffError(f"cannot read {path}: {error}") from None
    return data.get("vars") or {}


def _catalog_by_key(catalog) -> dict:
    out = {}
    for entry in catalog or []:
        if isinstance(entry, dict) and "key" in entry:
            out[str(entry["key"])] = entry
    return out


def changed_vars(base_vars: dict, head_vars: dict) -> list[dict]:
    """Vars that differ between two dbt_project.yml files. The segment
    catalog is compared entry by entry (added, removed, fields changed)."""
    changes = []
    for name in sorted(set(base_vars) | set(head_vars)):
        before, after = base_vars.get(name), head_vars.get(name)
        if name in base_vars and name in head_vars and before == after:
            continue
        change = {"var": name,
                  "change": ("added" if name not in base_vars else
                             "removed" if name not in head_vars else
                             "changed")}
        if name == "segment_catalog":
            old, new = _catalog_by_key(before), _catalog_by_key(after)
            change["entries"] = [
                {"key": key,
                 "change": ("added" if key not in old else
                            "removed" if key not in new else "changed"),
                 "fields": sorted(
                     field_name for field_name in
                     set(old.get(key, {})) | set(new.get(key, {}))
                     if old.get(key, {}).get(field_name)
                     != new.get(key, {}).get(field_name))}
                for key in sorted(set(old) | set(new))
                if old.get(key) != new.get(key)]
            if [entry.get("key") for entry in before or []] != \
                    [entry.get("key") for entry in after or []] and \
                    not change["entries"]:
                change["entries"] = [{"key": "(order)", "change": "changed",
                                      "fields": []}]
        else:
            change["before"], change["after"] = before, after
        changes.append(change)
    return changes


def nodes_reading_vars(manifest: dict, names: list[str]) -> list[str]:
    """Models and seeds whose SQL, or any macro they call (transitively),
    contains one of the var names as a quoted string (`var('name')`)."""
    if not names:
        return []
    needles = [f"'{name}'" for name in names] + [f'"{name}"' for name in names]
    macros = manifest.get("macros", {})
    memo: dict[str, bool] = {}

    def macro_reads(uid: str, seen: frozenset) -> bool:
        if uid in memo:
            return memo[uid]
        macro = macros.get(uid)
        if macro is None or uid in seen:
            return False
        sql = macro.get("macro_sql", "")
        result = any(needle in sql for needle in needles) or any(
            macro_reads(child, seen | {uid})
            for child in macro.get("depends_on", {}).get("macros", []))
        memo[uid] = result
        return result

    found = []
    for uid, node in manifest.get("nodes", {}).items():
        if node.get("resource_type") not in ("model", "seed", "snapshot"):
            continue
        code = node.get("raw_code", "") or ""
        if any(needle in code for needle in needles) or any(
                macro_reads(macro, frozenset())
                for macro in node.get("depends_on", {}).get("macros", [])):
            found.append(uid)
    return sorted(found)


def state_modified(project_dir: Path, state_dir: Path, *, db_path: Path,
                   raw_dir: Path, raw_format: str, work_dir: Path,
                   dbt_vars: dict) -> list[str]:
    """Unique ids of the models, seeds and snapshots dbt selects with
    `state:modified` against the base manifest in `state_dir`."""
    done = run_dbt(["ls", "--select", "state:modified", "--state",
                    str(state_dir), "--resource-type", "model",
                    "--resource-type", "seed", "--resource-type", "snapshot",
                    "--output", "json", "--output-keys", "unique_id"],
                   project_dir=project_dir, db_path=db_path,
                   raw_dir=raw_dir, raw_format=raw_format,
                   work_dir=work_dir, dbt_vars=dbt_vars, quiet=True)
    if done.returncode != 0:
        raise _dbt_failure("dbt ls --select state:modified (head)", done)
    ids = []
    for line in done.stdout.splitlines():
        line = line.strip()
        if line.startswith("{"):
            ids.append(json.loads(line)["unique_id"])
    return sorted(ids)


# ------------------------------------------------------------------ builds


@dataclass
class Build:
    db_path: Path
    target_dir: Path
    seconds: float
    cached: bool = False
    selected: list[str] = field(default_factory=list)
    copy_seconds: float = 0.0


def build_base(project_dir: Path, commit: str, *, raw_dir: Path,
               raw_format: str, as_of_date: str, cache_dir: Path) -> Build:
    """The base version's warehouse, from the cache when its key (base
    commit, raw files, as-of date) was built before."""
    key = hashlib.sha256("|".join([
        commit, raw_fingerprint(raw_dir, raw_format), str(raw_dir.resolve()),
        as_of_date]).encode()).hexdigest()[:20]
    entry = cache_dir / key
    done_marker = entry / "built.json"
    db_path = entry / "db" / DB_NAME
    target_dir = entry / "work" / "target"
    if done_marker.exists() and db_path.exists():
        return Build(db_path, target_dir, 0.0, cached=True)
    shutil.rmtree(entry, ignore_errors=True)
    source = entry / "project"
    export_commit(project_dir, commit, source)
    db_path.parent.mkdir(parents=True)
    start = time.perf_counter()
    done = run_dbt(["build", "--exclude-resource-type", "test",
                    "--exclude-resource-type", "unit_test"],
                   project_dir=source, db_path=db_path, raw_dir=raw_dir,
                   raw_format=raw_format, work_dir=entry / "work",
                   dbt_vars={"as_of_date": as_of_date})
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise _dbt_failure(f"building the base ({commit[:12]})", done)
    done_marker.write_text(json.dumps({
        "commit": commit, "raw_dir": str(raw_dir), "as_of_date": as_of_date,
        "seconds": round(seconds, 1)}))
    return Build(db_path, target_dir, seconds)


def build_head(project_dir: Path, base: Build, selection: list[str], *,
               raw_dir: Path, raw_format: str, as_of_date: str,
               work_dir: Path) -> Build:
    """The head warehouse: a copy of the base one with `selection` and its
    children rebuilt from the working tree (full refresh)."""
    db_path = work_dir / "db" / DB_NAME
    shutil.rmtree(db_path.parent, ignore_errors=True)
    db_path.parent.mkdir(parents=True)
    start = time.perf_counter()
    shutil.copyfile(base.db_path, db_path)
    copy_seconds = time.perf_counter() - start
    if not selection:
        return Build(db_path, work_dir / "target", copy_seconds,
                     copy_seconds=copy_seconds)
    done = run_dbt(["build", "--select",
                    *[f"{name}+" for name in selection],
                    "--full-refresh",
                    "--exclude-resource-type", "test",
                    "--exclude-resource-type", "unit_test"],
                   project_dir=project_dir, db_path=db_path,
                   raw_dir=raw_dir, raw_format=raw_format,
                   work_dir=work_dir, dbt_vars={"as_of_date": as_of_date})
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise _dbt_failure("building the head (working tree)", done)
    results = json.loads((work_dir / "target" / "run_results.json")
                         .read_text())
    built = sorted(result["unique_id"] for result in results["results"]
                   if result["unique_id"].split(".")[0]
                   in ("model", "seed", "snapshot"))
    return Build(db_path, work_dir / "target", seconds, selected=built,
                 copy_seconds=copy_seconds)


# ----------------------------------------------------------------- compare

SEGMENTS_SQL = """
with
keys as (
    select segment_key, dimension from base.marts.dim_segments
    union
    select segment_key, dimension from head.marts.dim_segments
),
keys_one as (
    select segment_key, min(dimension) as dimension from keys group by 1
),
before as (
    select account_id, segment_key from base.marts.fct_account_segments
),
after as (
    select account_id, segment_key from head.marts.fct_account_segments
),
entering as (select * from after except select * from before),
leaving as (select * from before except select * from after)
select
    keys_one.segment_key,
    keys_one.dimension,
    exists (select 1 from base.marts.dim_segments as s
            where s.segment_key = keys_one.segment_key) as in_base,
    exists (select 1 from head.marts.dim_segments as s
            where s.segment_key = keys_one.segment_key) as in_head,
    (select count(*) from before
     where before.segment_key = keys_one.segment_key) as accounts_before,
    (select count(*) from after
     where after.segment_key = keys_one.segment_key) as accounts_after,
    (select count(*) from entering
     where entering.segment_key = keys_one.segment_key) as entering,
    (select count(*) from leaving
     where leaving.segment_key = keys_one.segment_key) as leaving,
    (select coalesce(sum(a.arr_usd), 0) from entering
     inner join head.marts.dim_accounts as a
         on entering.account_id = a.account_id
     where entering.segment_key = keys_one.segment_key) as arr_entering,
    (select coalesce(sum(a.arr_usd), 0) from leaving
     inner join base.marts.dim_accounts as a
         on leaving.account_id = a.account_id
     where leaving.segment_key = keys_one.segment_key) as arr_leaving
from keys_one
order by keys_one.segment_key
"""

TIER_MOVES_SQL = f"""
select
    coalesce(b.value_tier, '{NO_TIER}') as tier_before,
    coalesce(h.value_tier, '{NO_TIER}') as tier_after,
    count(*) as accounts,
    coalesce(sum(coalesce(h.arr_usd, b.arr_usd)), 0) as arr_usd
from base.marts.dim_accounts as b
full outer join head.marts.dim_accounts as h
    on b.account_id = h.account_id
group by 1, 2
order by 1, 2
"""

TIER_ORDER_SQL = """
select value_tier, min(value_tier_rank) from (
    select value_tier, value_tier_rank from base.marts.dim_accounts
    union all
    select value_tier, value_tier_rank from head.marts.dim_accounts
) group by 1 order by 2, 1
"""

ACCOUNTS_SQL = """
with
before as (
    select account_id, list(segment_key order by segment_key) as segments
    from base.marts.fct_account_segments group by 1
),
after as (
    select account_id, list(segment_key order by segment_key) as segments
    from head.marts.fct_account_segments group by 1
),
accounts as (
    select
        coalesce(b.account_id, h.account_id) as account_id,
        coalesce(h.account_name, b.account_name) as account_name,
        b.value_tier as tier_before,
        h.value_tier as tier_after,
        b.arr_usd as arr_before,
        h.arr_usd as arr_after
    from base.marts.dim_accounts as b
    full outer join head.marts.dim_accounts as h
        on b.account_id = h.account_id
)
select
    accounts.*,
    coalesce(before.segments, []) as segments_before,
    coalesce(after.segments, []) as segments_after
from accounts
left join before on accounts.account_id = before.account_id
left join after on accounts.account_id = after.account_id
"""


def compare(base_db: Path, head_db: Path) -> dict:
    """Segments, tier moves and changed accounts between two warehouses."""
    import duckdb

    con = duckdb.connect()
    try:
        for alias, path in (("base", base_db), ("head", head_db)):
            con.execute(f"attach '{path}' as {alias} (read_only)")
            for table in REQUIRED_TABLES:
                schema, name = table.split(".")
                found = con.execute(
                    "select count(*) from duckdb_tables() where "
                    "database_name = ? and schema_name = ? and "
                    "table_name = ?", [alias, schema, name]).fetchone()[0]
                if not found:
                    raise DiffError(f"the {alias} warehouse has no {table}")
        segments = _records(con.execute(SEGMENTS_SQL))
        for row in segments:
            row["status"] = ("new" if not row["in_base"] else
                             "removed" if not row["in_head"] else
                             "changed" if row["entering"] or row["leaving"]
                             else "unchanged")
            for key in ("arr_entering", "arr_leaving"):
                row[key] = float(row[key])
        tier_order = [row[0] for row in con.execute(TIER_ORDER_SQL)
                      .fetchall()]
        moves = _records(con.execute(TIER_MOVES_SQL))
        for row in moves:
            row["arr_usd"] = float(row["arr_usd"])
        accounts = []
        total_arr = 0.0
        changed_arr = 0.0
        for row in _records(con.execute(ACCOUNTS_SQL)):
            arr = float(row["arr_after"] if row["arr_after"] is not None
                        else row["arr_before"] or 0)
            total_arr += arr
            before, after = list(row["segments_before"]), \
                list(row["segments_after"])
            if before == after:
                continue
            changed_arr += arr
            accounts.append({
                "account_id": row["account_id"],
                "account_name": row["account_name"],
                "arr_usd": arr,
                "arr_before": _num(row["arr_before"]),
                "arr_after": _num(row["arr_after"]),
                "tier_before": row["tier_before"],
                "tier_after": row["tier_after"],
                "segments_before": before,
                "segments_after": after,
                "entered": sorted(set(after) - set(before)),
                "left": sorted(set(before) - set(after)),
            })
        accounts.sort(key=lambda item: (-item["arr_usd"],
                                        item["account_id"]))
        as_of = con.execute("select max(as_of_date) from "
                            "head.marts.dim_accounts").fetchone()[0]
        total_accounts = con.execute(
            "select count(*) from head.marts.dim_accounts").fetchone()[0]
    finally:
        con.close()
    return {
        "as_of_date_built": as_of.isoformat() if as_of else None,
        "accounts_total": total_accounts,
        "arr_total": round(total_arr, 2),
        "accounts_changed": len(accounts),
        "arr_changed": round(changed_arr, 2),
        "arr_changed_share": (changed_arr / total_arr) if total_arr else 0.0,
        "segments": segments,
        "tier_order": tier_order,
        "tier_moves": moves,
        "accounts": accounts,
    }


def _records(cursor) -> list[dict]:
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def _num(value):
    return None if value is None else float(value)


# ------------------------------------------------------------------ report


def _money(value: float) -> str:
    return f"${value:,.0f}"


def _value(value) -> str:
    text = json.dumps(value, default=str)
    return text if len(text) <= 60 else text[:57] + "..."


def render_markdown(report: dict, top: int) -> str:
    diff = report["diff"]
    lines = [f"## Segment diff: `{report['base']['ref']}` "
             f"({report['base']['commit'][:8]}) -> working tree", ""]
    lines.append(f"As of {report['as_of_date']}, raw data "
                 f"`{report['raw_dir']}` ({report['raw_format']}), "
                 f"{diff['accounts_total']:,} accounts, ARR "
                 f"{_money(diff['arr_total'])}.")
    lines.append("")
    if diff["accounts_changed"] == 0 and not any(
            row["status"] != "unchanged" for row in diff["segments"]):
        lines.append("**No difference: no account changes segment.**")
    else:
        lines.append(
            f"**{diff['accounts_changed']:,} accounts change segment: ARR "
            f"{_money(diff['arr_changed'])}, "
            f"{diff['arr_changed_share']:.1%} of ARR.**")
    lines += ["", "### What changed", ""]
    causes = report["causes"]
    for change in causes["vars"]:
        if "entries" in change:
            entries = ", ".join(
                f"`{entry['key']}` {entry['change']}"
                + (f" ({', '.join(entry['fields'])})"
                   if entry["change"] == "changed" and entry["fields"]
                   else "")
                for entry in change["entries"])
            lines.append(f"- var `{change['var']}`: {entries}")
        else:
            lines.append(f"- var `{change['var']}` {change['change']}: "
                         f"`{_value(change['before'])}` -> "
                         f"`{_value(change['after'])}`")
    modified = causes["state_modified"]
    if modified:
        lines.append("- dbt `state:modified`: "
                     + ", ".join(f"`{uid.split('.')[-1]}`"
                                 for uid in modified))
    if causes["var_readers"]:
        lines.append("- models reading a changed var: "
                     + ", ".join(f"`{uid.split('.')[-1]}`"
                                 for uid in causes["var_readers"]))
    if not causes["vars"] and not modified:
        lines.append("- nothing: no modified model, seed or var")
    lines.append(f"- rebuilt for head: {len(report['head']['rebuilt'])} "
                 "nodes (selection and children)")
    lines += ["", "### Segments", ""]
    changed = [row for row in diff["segments"] if row["status"] != "unchanged"]
    if changed:
        lines += ["| segment | status | before | after | entering | leaving "
                  "| ARR entering | ARR leaving |",
                  "|---|---|--:|--:|--:|--:|--:|--:|"]
        for row in changed:
            lines.append(
                f"| `{row['segment_key']}` | {row['status']} "
                f"| {row['accounts_before']:,} | {row['accounts_after']:,} "
                f"| {row['entering']:,} | {row['leaving']:,} "
                f"| {_money(row['arr_entering'])} "
                f"| {_money(row['arr_leaving'])} |")
    unchanged = len(diff["segments"]) - len(changed)
    lines += ["", f"{unchanged} segments unchanged."]
    lines += ["", "### Static pyramid: tier moves", ""]
    moved = [row for row in diff["tier_moves"]
             if row["tier_before"] != row["tier_after"]]
    if not moved:
        lines.append("No account changes tier.")
    else:
        tiers = diff["tier_order"] + ([NO_TIER] if any(
            NO_TIER in (row["tier_before"], row["tier_after"])
            for row in diff["tier_moves"]) else [])
        cells = {(row["tier_before"], row["tier_after"]): row
                 for row in diff["tier_moves"]}
        lines += ["Accounts (ARR after) by tier before (rows) and after "
                  "(columns); the diagonal stays.", "",
                  "| before \\ after | " + " | ".join(tiers) + " |",
                  "|---|" + "--:|" * len(tiers)]
        for before in tiers:
            row_cells = []
            for after in tiers:
                cell = cells.get((before, after))
                text = (f"{cell['accounts']:,} ({_money(cell['arr_usd'])})"
                        if cell else "")
                row_cells.append(f"**{text}**" if cell and before != after
                                 else text)
            lines.append(f"| {before} | " + " | ".join(row_cells) + " |")
    lines += ["", f"### Accounts (top {top} by ARR of "
              f"{diff['accounts_changed']:,}; all in `accounts.csv`)", ""]
    if diff["accounts"]:
        lines += ["| account | ARR | tier | entered | left |",
                  "|---|--:|---|---|---|"]
        for account in diff["accounts"][:top]:
            tier = (account["tier_after"] or NO_TIER
                    if account["tier_before"] == account["tier_after"]
                    else f"{account['tier_before'] or NO_TIER} -> "
                         f"{account['tier_after'] or NO_TIER}")
            lines.append(
                f"| {account['account_name'] or account['account_id']} "
                f"(`{account['account_id']}`) "
                f"| {_money(account['arr_usd'])} | {tier} "
                f"| {', '.join(account['entered']) or '-'} "
                f"| {', '.join(account['left']) or '-'} |")
    else:
        lines.append("No account changes segment.")
    lines += ["", f"<sub>Base build: "
              f"{'cached' if report['base']['cached'] else 'built in %.0f s' % report['base']['build_seconds']}"
              f"; head build {report['head']['build_seconds']:.0f} s. "
              "`python -m cs_segments.diff`</sub>", ""]
    return "\n".join(lines)


def write_accounts_csv(path: Path, accounts: list[dict]) -> None:
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["account_id", "account_name", "arr_usd",
                         "arr_before", "arr_after", "tier_before",
                         "tier_after", "entered", "left", "segments_before",
                         "segments_after"])
        for account in accounts:
            writer.writerow([
                account["account_id"], account["account_name"],
                account["arr_usd"], account["arr_before"],
                account["arr_after"], account["tier_before"],
                account["tier_after"], " ".join(account["entered"]),
                " ".join(account["left"]),
                " ".join(account["segments_before"]),
                " ".join(account["segments_after"])])


# -------------------------------------------------------------------- main


def segment_diff(*, project_dir: Path, base_ref: str, raw_dir: Path,
                 raw_format: str, as_of_date: str | None,
                 cache_dir: Path, out_dir: Path, top: int = 20) -> dict:
    """Build base and head, compare, write the report files. Returns the
    report (also written as diff.json)."""
    started = time.perf_counter()
    if not raw_dir.is_dir():
        raise DiffError(f"raw data folder {raw_dir} does not exist (run "
                        "`make demo` first, or pass --raw-dir)")
    commit = resolve_commit(project_dir, base_ref)
    as_of = as_of_date or default_as_of_date(raw_dir, raw_format)
    base = build_base(project_dir, commit, raw_dir=raw_dir,
                      raw_format=raw_format, as_of_date=as_of,
                      cache_dir=cache_dir)
    base_source = base.db_path.parent.parent / "project"
    var_changes = changed_vars(_project_vars(base_source),
                               _project_vars(project_dir))
    with tempfile.TemporaryDirectory(prefix="segment_diff_") as tmp:
        work = Path(tmp)
        # dbt ls and the head build share a target folder, so the build
        # reuses the parse of ls (partial parsing).
        ls_start = time.perf_counter()
        modified = state_modified(project_dir, base.target_dir,
                                  db_path=work / "head" / "db" / DB_NAME,
                                  raw_dir=raw_dir, raw_format=raw_format,
                                  work_dir=work / "head",
                                  dbt_vars={"as_of_date": as_of})
        ls_seconds = time.perf_counter() - ls_start
        manifest = json.loads((work / "head" / "target" / "manifest.json")
                              .read_text())
        readers = nodes_reading_vars(
            manifest, [change["var"] for change in var_changes])
        selection = sorted({uid.split(".")[-1]
                            for uid in modified + readers})
        head = build_head(project_dir, base, selection, raw_dir=raw_dir,
                          raw_format=raw_format, as_of_date=as_of,
                          work_dir=work / "head")
        compare_start = time.perf_counter()
        diff = compare(base.db_path, head.db_path)
        compare_seconds = time.perf_counter() - compare_start
    report = {
        "base": {"ref": base_ref, "commit": commit, "cached": base.cached,
                 "build_seconds": round(base.seconds, 1)},
        "head": {"project_dir": str(project_dir),
                 "build_seconds": round(head.seconds, 1),
                 "rebuilt": head.selected},
        "as_of_date": as_of,
        "raw_dir": str(raw_dir),
        "raw_format": raw_format,
        "causes": {"vars": var_changes, "state_modified": modified,
                   "var_readers": readers},
        "diff": diff,
        "seconds": {"base_build": round(base.seconds, 1),
                    "state_modified_ls": round(ls_seconds, 1),
                    "head_build": round(head.seconds, 1),
                    "head_copy_base_warehouse": round(head.copy_seconds, 1),
                    "compare": round(compare_seconds, 2),
                    "total": round(time.perf_counter() - started, 1)},
    }
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "diff.json").write_text(
        json.dumps(report, indent=2, default=str) + "\n")
    write_accounts_csv(out_dir / "accounts.csv", diff["accounts"])
    (out_dir / "report.md").write_text(render_markdown(report, top))
    return report


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m cs_segments.diff",
        description="Compare the segmentation of a git ref (base) with the "
                    "working tree (head) on the same data and as-of date.")
    parser.add_argument("--base", required=True,
                        help="git ref of the base version, e.g. main")
    parser.add_argument("--project-dir", default=str(ROOT),
                        help="the head project (a git working tree; "
                             "default: this repository)")
    parser.add_argument("--raw-dir", default=None,
                        help="raw files (default: env CS_RAW_DIR, else "
                             "data/demo of the project)")
    parser.add_argument("--raw-format", default=os.environ.get(
        "CS_RAW_FORMAT", "parquet"), choices=["parquet", "csv"])
    parser.add_argument("--as-of-date", default=None,
                        help="YYYY-MM-DD (default: latest date in the raw "
                             "data, as the build does)")
    parser.add_argument("--top", type=int, default=20,
                        help="accounts listed in the report (default 20)")
    parser.add_argument("--out-dir", default=None,
                        help="report folder (default "
                             "<project>/target/segment_diff)")
    parser.add_argument("--cache-dir", default=os.environ.get(
        "CS_DIFF_CACHE"), help="base warehouses (default env "
                               "CS_DIFF_CACHE, else "
                               "<project>/warehouse/diff_cache)")
    parser.add_argument("--fail-above-arr-share", type=float, default=None,
                        help="exit 1 when more than this share (0-1) of "
                             "ARR changes segment")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = _parse_args(argv)
    project_dir = Path(args.project_dir).resolve()
    raw_dir = Path(args.raw_dir or os.environ.get("CS_RAW_DIR")
                   or project_dir / "data" / "demo").resolve()
    cache_dir = Path(args.cache_dir or project_dir / "warehouse"
                     / "diff_cache").resolve()
    out_dir = Path(args.out_dir or project_dir / "target"
                   / "segment_diff").resolve()
    if args.fail_above_arr_share is not None and not (
            0 <= args.fail_above_arr_share <= 1):
        print("error: --fail-above-arr-share must be between 0 and 1",
              file=sys.stderr)
        return 2
    try:
        report = segment_diff(project_dir=project_dir, base_ref=args.base,
                              raw_dir=raw_dir, raw_format=args.raw_format,
                              as_of_date=args.as_of_date,
                              cache_dir=cache_dir, out_dir=out_dir,
                              top=args.top)
    except DiffError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print((out_dir / "report.md").read_text())
    print(f"Written: {out_dir / 'report.md'}, {out_dir / 'diff.json'}, "
          f"{out_dir / 'accounts.csv'}")
    share = report["diff"]["arr_changed_share"]
    if args.fail_above_arr_share is not None and \
            share > args.fail_above_arr_share:
        print(f"FAIL: {share:.2%} of ARR changes segment, above "
              f"{args.fail_above_arr_share:.2%}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
