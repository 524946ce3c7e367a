"""Benchmark the scheduled build at several scales (DuckDB, issue 8).

    python benchmarks/bench_scale.py [--accounts 2000 20000] [--seed 42]
        [--work /tmp/bench_scale] [--results benchmarks/results/scale.json]

One run per scale, each step its own process, on generated demo data
(parquet):
1. floor: one DuckDB scan of usage_events grouped by account, event and
   day (the least any build must do);
2. full build: the scheduled command (`python -m cs_segments.run --raw-dir`:
   dbt build of seeds, models, data and unit tests, then publish, summary,
   report) from an empty warehouse, nothing published yet, on the data
   delivered up to the day before the last (cs_segments.deliveries): an
   operator's first run;
3. daily run: the same command on the same warehouse after the last day's
   delivery (only the data changed, so dbt's unit tests are left out);
4. no-op run: the scheduled command again on the same files (it finds the
   inputs of the published build unchanged and stops), and, for reference,
   a bare `dbt build` on the same data (which rebuilds everything);
5. with `--aged-days N`, the daily run again on the warehouse of step 2
   aged by N daily runs: its as-published log
   (fct_segment_membership_published) given N older publications (copies
   of its first, numbered and dated one day apart, published again), as a
   warehouse scheduled daily for N days holds. The log is the only table
   that grows with the number of runs; this shows what that costs a daily
   run.
For each dbt step: wall time, peak RSS of the dbt process (DuckDB runs
inside it, so this is the whole tree), peak size of DuckDB's temp directory
(spill) and the warehouse size. Prints the ratios full / floor, daily /
full and no-op / full. The results file keeps one entry per scale, so a
scale can be re-run alone (`make bench-100k`). DuckDB's memory_limit and
temp directory come from profiles.yml (env CS_DUCKDB_MEMORY_LIMIT,
CS_DUCKDB_TEMP_DIR). Generated data and warehouses are deleted afterwards.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cs_segments.deliveries import write_delivery  # noqa: E402

LAST_DAY = dt.date(2026, 6, 30)  # cs_segments.generate default --as-of
MIB = 1024 * 1024

# Runs one command and prints its child's peak RSS (KiB) on the last line.
_MEASURE = (
    "import resource, subprocess, sys\n"
    "log = open(sys.argv[1], 'w')\n"
    "rc = subprocess.call(sys.argv[2:], stdout=log, stderr=log)\n"
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
    "sys.exit(rc)\n"
)


def _folder_bytes(folder: Path) -> int:
    total = 0
    try:  # DuckDB creates and removes its temp files while we look
        for path in folder.rglob("*"):
            try:
                total += path.stat().st_size
            except OSError:
                pass
    except OSError:
        pass
    return total


def _measure(cmd: list[str], env: dict[str, str], spill_dir: Path,
             log: Path) -> dict:
    """Wall seconds, peak RSS and peak spill of `cmd`; when it fails, the
    failing dbt nodes (from run_results.json) or the end of its output."""
    peak_spill = 0
    done = threading.Event()

    def watch() -> None:
        nonlocal peak_spill
        while not done.is_set():
            if spill_dir.exists():
                peak_spill = max(peak_spill, _folder_bytes(spill_dir))
            time.sleep(0.5)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    start = time.perf_counter()
    run = subprocess.run([sys.executable, "-c", _MEASURE, str(log), *cmd],
                         env=env,
                         capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    done.set()
    watcher.join()
    lines = run.stdout.strip().splitlines()
    out = {
        "s": round(wall, 1),
        "rss_mib": round(int(lines[-1]) / 1024) if lines else None,
        "spill_mib": round(peak_spill / MIB),
        "ok": run.returncode == 0,
    }
    if run.returncode != 0:
        out["failed"] = _failures(Path(env["DBT_TARGET_PATH"])) or [
            log.read_text()[-1500:]]
    return out


def _failures(target: Path) -> list[str]:
    try:
        results = json.loads((target / "run_results.json").read_text())
    except (OSError, ValueError):
        return []
    return [f"{r['unique_id']}: {(r.get('message') or '')[:300]}"
            for r in results["results"] if r["status"] in ("error", "fail")]


def _floor(raw: Path) -> float:
    import duckdb

    con = duckdb.connect()
    con.execute("set threads = 2")
    start = time.perf_counter()
    con.execute(f"""
        select count(*) from (
            select account_id, event_name, cast(occurred_at as date),
                sum(coalesce(quantity, 1))
            from read_parquet('{raw / 'usage_events.parquet'}')
            group by 1, 2, 3)
    """).fetchone()
    con.close()
    return time.perf_counter() - start


LOG = "marts.fct_segment_membership_published"
# The files of a warehouse and its publication, snapshotted for step 5.
SNAPSHOT_FILES = ("wh.duckdb", "wh.duckdb.wal", "published.duckdb",
                  "published.duckdb.inputs.json")


def _copy_files(source: Path, target: Path) -> None:
    """Copy SNAPSHOT_FILES from `source` to `target` (one absent from
    `source`, the write-ahead log most often, is removed from `target`)."""
    for name in SNAPSHOT_FILES:
        if (source / name).exists():
            shutil.copyfile(source / name, target / name)
        else:
            (target / name).unlink(missing_ok=True)


def _age_log(warehouse: Path, days: int) -> int:
    """Give the log of `warehouse` `days` older publications: copies of its
    first one, numbered 1..days (the stored ones after them) and dated and
    stamped one day apart before it. Returns the log's rows."""
    import duckdb

    con = duckdb.connect(str(warehouse))
    try:
        con.execute("set preserve_insertion_order = false")
        con.execute(f"update {LOG} set publication_number = "
                    f"publication_number + {days}")
        con.execute(
            f"insert into {LOG} select first.* replace ("
            " cast(aged.range + 1 as integer) as publication_number,"
            f" first.published_as_of_date - cast({days} - aged.range as"
            " integer) as published_as_of_date,"
            f" first.published_at - to_days(cast({days} - aged.range as"
            " integer)) as published_at,"
            " 'aged-' || aged.range as dbt_invocation_id)"
            f" from (select * from {LOG} where publication_number ="
            f" {days + 1}) as first, range({days}) as aged")
        con.execute("checkpoint")
        return con.execute(f"select count(*) from {LOG}").fetchone()[0]
    finally:
        con.close()


def bench_scale(accounts: int, seed: int, work: Path,
                steps: set[str], keep: bool = False,
                aged_days: int = 0) -> dict:
    from cs_segments.generate import generate

    raw, export = work / f"raw_{accounts}", work / f"export_{accounts}"
    dbt_dir = work / f"dbt_{accounts}"
    for folder in (raw, export, dbt_dir):
        shutil.rmtree(folder, ignore_errors=True)
    dbt_dir.mkdir(parents=True)
    start = time.perf_counter()
    generate(accounts=accounts, seed=seed, out=raw, fmt="parquet",
             progress=False)
    out: dict = {"accounts": accounts,
                 "generate_s": round(time.perf_counter() - start, 1)}
    import duckdb

    out["usage_events"] = duckdb.connect().execute(
        f"select count(*) from read_parquet('{raw / 'usage_events.parquet'}')"
    ).fetchone()[0]
    out["floor_s"] = round(_floor(raw), 2)
    warehouse = dbt_dir / "wh.duckdb"
    spill_dir = dbt_dir / "duckdb_tmp"
    env = dict(os.environ, CS_RAW_DIR=str(export), CS_RAW_FORMAT="parquet",
               CS_DUCKDB_PATH=str(warehouse), CS_DUCKDB_TEMP_DIR=str(spill_dir),
               DBT_PROFILES_DIR=str(ROOT),
               DBT_TARGET_PATH=str(dbt_dir / "target"),
               DBT_LOG_PATH=str(dbt_dir / "logs"))
    dbt = [str(Path(sys.executable).parent / "dbt"), "build",
           "--project-dir", str(ROOT)]
    out["memory_limit"] = env.get("CS_DUCKDB_MEMORY_LIMIT", "3GB (profile)")
    out["dbt_threads"] = env.get("CS_DBT_THREADS", "1 (profile)")

    scheduled = [sys.executable, "-m", "cs_segments.run", "--raw-dir",
                 str(export), "--db", str(warehouse),
                 "--publish-to", str(dbt_dir / "published.duckdb")]
    write_delivery(raw, export, LAST_DAY - dt.timedelta(days=1))
    out["full_build"] = _measure(scheduled, env, spill_dir,
                                 dbt_dir / "full.log")
    out["full_build"]["warehouse_mib"] = round(warehouse.stat().st_size / MIB)
    out["full_build"].update(_dbt_breakdown(dbt_dir / "target"))
    _keep_run_results(dbt_dir, "full")
    snapshot = dbt_dir / "snapshot_full"
    if aged_days:
        snapshot.mkdir()
        _copy_files(dbt_dir, snapshot)
    write_delivery(raw, export, None)
    out["daily_run"] = _measure(scheduled, env, spill_dir,
                                dbt_dir / "daily.log")
    out["daily_run"].update(_dbt_breakdown(dbt_dir / "target"))
    _keep_run_results(dbt_dir, "daily")
    out["noop_run"] = _measure(scheduled, env, spill_dir,
                               dbt_dir / "noop.log")
    out["noop_run"]["skipped"] = "Nothing to do" in (
        dbt_dir / "noop.log").read_text()
    if aged_days:
        from cs_segments.publish import publish

        _copy_files(snapshot, dbt_dir)
        shutil.rmtree(snapshot)
        log_rows = _age_log(warehouse, aged_days)
        publish(warehouse, dbt_dir / "published.duckdb")
        out["aged_daily_run"] = _measure(scheduled, env, spill_dir,
                                         dbt_dir / "aged_daily.log")
        out["aged_daily_run"].update(_dbt_breakdown(dbt_dir / "target"))
        out["aged_daily_run"].update(aged_days=aged_days,
                                     log_rows_before=log_rows)
        _keep_run_results(dbt_dir, "aged_daily")
        out["ratio_aged_daily_to_daily"] = round(
            out["aged_daily_run"]["s"] / out["daily_run"]["s"], 2)
    full = out["full_build"]["s"]
    out["ratio_full_to_floor"] = round(full / out["floor_s"], 1)
    out["ratio_daily_to_full"] = round(out["daily_run"]["s"] / full, 2)
    out["ratio_noop_to_full"] = round(out["noop_run"]["s"] / full, 2)
    if "noop_dbt_build" in steps:
        out["noop_dbt_build"] = _measure(dbt, env, spill_dir,
                                         dbt_dir / "noop_dbt.log")
        out["ratio_noop_dbt_build_to_full"] = round(
            out["noop_dbt_build"]["s"] / full, 2)
    if not keep:
        for folder in (raw, export, dbt_dir):
            shutil.rmtree(folder, ignore_errors=True)
    return out


def _keep_run_results(dbt_dir: Path, step: str) -> None:
    """Keep a step's run_results.json beside its log (the next step
    overwrites dbt's own), for a per-node reading with --keep."""
    source = dbt_dir / "target" / "run_results.json"
    if source.exists():
        shutil.copyfile(source, dbt_dir / f"{step}_run_results.json")


def _dbt_breakdown(target: Path, top: int = 8) -> dict:
    """From dbt's run_results.json: dbt's own elapsed time, the number of
    nodes and their summed execution time per resource type, and the
    slowest models and data tests."""
    try:
        results = json.loads((target / "run_results.json").read_text())
    except (OSError, ValueError):
        return {}
    by_type: dict[str, dict] = {}
    for result in results["results"]:
        kind = result["unique_id"].split(".")[0]
        entry = by_type.setdefault(kind, {"nodes": 0, "s": 0.0})
        entry["nodes"] += 1
        entry["s"] += result["execution_time"]
    def slowest(kind: str) -> dict[str, float]:
        timed = sorted(((r["execution_time"], r["unique_id"].split(".")[-1])
                        for r in results["results"]
                        if r["unique_id"].startswith(kind + ".")),
                       reverse=True)
        return {name: round(seconds, 1) for seconds, name in timed[:top]}

    return {
        "dbt_elapsed_s": round(results.get("elapsed_time", 0.0), 1),
        "by_resource_type": {kind: {"nodes": entry["nodes"],
                                    "s": round(entry["s"], 1)}
                             for kind, entry in sorted(by_type.items())},
        "slowest_models_s": slowest("model"),
        "slowest_tests_s": slowest("test"),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, nargs="+", default=[2000])
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--work", default="/tmp/bench_scale")
    parser.add_argument("--no-dbt-noop", action="store_true",
                        help="skip the reference no-op `dbt build` (a "
                             "full rebuild; saves time at 100,000 accounts)")
    parser.add_argument("--keep", action="store_true",
                        help="keep the raw data, the warehouse and each "
                             "step's run_results.json under --work")
    parser.add_argument("--aged-days", type=int, default=0,
                        help="also time the daily run on the warehouse aged "
                             "by this many daily publications (step 5)")
    parser.add_argument("--results",
                        default=str(ROOT / "benchmarks/results/scale.json"))
    args = parser.parse_args()
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    results_path = Path(args.results)
    results = {"scales": []}
    if results_path.exists():
        results = json.loads(results_path.read_text())
    results.update({
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "note": "one run per scale; each step its own process; full build "
                "= the scheduled command from empty (dbt build of seeds, "
                "models, data and unit tests, publish, summary, report); "
                "daily run = the same command after one new day (unit "
                "tests left out: only the data changed)",
    })
    for accounts in args.accounts:
        steps = set() if args.no_dbt_noop else {"noop_dbt_build"}
        row = bench_scale(accounts, args.seed, work, steps, args.keep,
                          args.aged_days)
        row["measured_at"] = dt.datetime.now(dt.timezone.utc).isoformat(
            timespec="seconds")
        row["git_commit"] = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
            capture_output=True, text=True, check=False).stdout.strip()
        results["scales"] = sorted(
            [s for s in results["scales"] if s["accounts"] != accounts]
            + [row], key=lambda s: s["accounts"])
        print(json.dumps(row, indent=2), flush=True)
        results_path.write_text(json.dumps(results, indent=2) + "\n")
    print(f"wrote {results_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
