"""Benchmark the dbt build on DuckDB at several scales.

    python benchmarks/bench_build.py [--accounts 2000 20000] [--seed 42]
        [--work /tmp/bench_build] [--results benchmarks/results/build.json]

For each scale: generate the demo data, then time `dbt run` (every model,
from an empty warehouse) and `dbt test` (every data and unit test), each as
its own subprocess, so the peak RSS measured is that dbt process's own
(getrusage RUSAGE_CHILDREN grows monotonically, so each step's peak is
read in a fresh child). Prints the figures and writes them to the results
JSON. Generated data and warehouses are deleted afterwards.
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
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Runs one command and prints its child's peak RSS (KiB) on the last line.
_MEASURE = (
    "import resource, subprocess, sys\n"
    "rc = subprocess.call(sys.argv[1:], stdout=subprocess.DEVNULL)\n"
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
    "sys.exit(rc)\n"
)


def _measure(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall seconds, peak RSS MiB) of `cmd`; raises if it fails."""
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", _MEASURE, *cmd], env=env,
                          capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"failed: {' '.join(cmd)}\n{done.stderr[-2000:]}")
    peak_kib = int(done.stdout.strip().splitlines()[-1])
    return wall, peak_kib / 1024


def bench_scale(accounts: int, seed: int, work: Path) -> dict:
    raw = work / f"raw_{accounts}"
    dbt_dir = work / f"dbt_{accounts}"
    shutil.rmtree(raw, ignore_errors=True)
    shutil.rmtree(dbt_dir, ignore_errors=True)
    dbt_dir.mkdir(parents=True)
    env = dict(os.environ, CS_RAW_DIR=str(raw), CS_RAW_FORMAT="parquet",
               CS_DUCKDB_PATH=str(dbt_dir / "wh.duckdb"),
               DBT_PROFILES_DIR=str(ROOT),
               DBT_TARGET_PATH=str(dbt_dir / "target"),
               DBT_LOG_PATH=str(dbt_dir / "logs"))
    gen_wall, gen_rss = _measure(
        [sys.executable, "-m", "cs_segments.generate", "--accounts",
         str(accounts), "--seed", str(seed), "--out", str(raw), "--quiet"],
        env)
    dbt = str(Path(sys.executable).with_name("dbt"))
    common = ["--project-dir", str(ROOT)]
    seed_wall, _ = _measure([dbt, "seed", *common], env)
    run_wall, run_rss = _measure([dbt, "run", *common], env)
    run_results = json.loads(
        (dbt_dir / "target" / "run_results.json").read_text())
    timings = sorted(
        ((r["unique_id"].split(".")[-1], round(r["execution_time"], 1))
         for r in run_results["results"]),
        key=lambda item: -item[1])
    (dbt_dir / "run_timings.json").write_text(json.dumps(timings[:8]))
    test_wall, test_rss = _measure([dbt, "test", *common], env)
    import duckdb

    con = duckdb.connect(str(dbt_dir / "wh.duckdb"), read_only=True)
    events = con.execute(
        "select count(*) from staging.stg_raw__usage_events").fetchone()[0]
    panel_rows = con.execute(
        "select count(*) from intermediate.int_account_behaviour_weekly"
    ).fetchone()[0]
    con.close()
    db_mib = (dbt_dir / "wh.duckdb").stat().st_size / 2**20
    # run_results.json holds the last command (dbt test); the run's per-model
    # timings were copied aside right after `dbt run`.
    slowest = json.loads((dbt_dir / "run_timings.json").read_text())
    shutil.rmtree(raw, ignore_errors=True)
    shutil.rmtree(dbt_dir, ignore_errors=True)
    return {
        "accounts": accounts,
        "usage_events": events,
        "account_weeks": panel_rows,
        "generate_seconds": round(gen_wall, 1),
        "generate_peak_rss_mb": round(gen_rss, 1),
        "dbt_seed_seconds": round(seed_wall, 1),
        "dbt_run_seconds": round(run_wall, 1),
        "dbt_run_peak_rss_mb": round(run_rss, 1),
        "dbt_test_seconds": round(test_wall, 1),
        "dbt_test_peak_rss_mb": round(test_rss, 1),
        "warehouse_mb": round(db_mib, 1),
        "slowest_models_seconds": dict(slowest),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench_build.py",
                                     description="Time the dbt build.")
    parser.add_argument("--accounts", type=int, nargs="+",
                        default=[2000, 20000])
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--work", default="/tmp/bench_build")
    parser.add_argument("--results", default=str(
        ROOT / "benchmarks" / "results" / "build.json"))
    args = parser.parse_args(argv)
    work = Path(args.work)
    rows = []
    for accounts in args.accounts:
        row = bench_scale(accounts, args.seed, work)
        rows.append(row)
        print(json.dumps(row))
    header = ("| accounts | usage events | account-weeks | dbt run | "
              "dbt run peak RSS | dbt test | warehouse |")
    print(header)
    print("|---|---|---|---|---|---|---|")
    for row in rows:
        print(f"| {row['accounts']:,} | {row['usage_events'] / 1e6:.1f} M | "
              f"{row['account_weeks']:,} | {row['dbt_run_seconds']:.0f} s | "
              f"{row['dbt_run_peak_rss_mb']:.0f} MB | "
              f"{row['dbt_test_seconds']:.0f} s | "
              f"{row['warehouse_mb']:.0f} MB |")
    result = {
        "benchmark": "dbt build (DuckDB)",
        "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "seed": args.seed,
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
        "scales": rows,
    }
    out = Path(args.results)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
