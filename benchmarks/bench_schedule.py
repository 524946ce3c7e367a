"""Benchmark a scheduled daily run against a full build (DuckDB).

    python benchmarks/bench_schedule.py [--accounts 2000] [--seed 42]
        [--work /tmp/bench_schedule] [--results benchmarks/results/schedule.json]

One run per scale: generate the demo data, then, each step its own dbt
subprocess (seeds and models, no tests; peak RSS of that process):
1. full build from an empty warehouse on the data delivered up to the day
   before the last (cs_segments.deliveries);
2. daily run: the same warehouse, after the last day's delivery;
3. no-op run: the same warehouse, the same data again;
4. full build from an empty warehouse on the complete data (the reference
   for the daily run);
plus the floor query (one DuckDB scan of usage_events grouped by account,
event and day). Prints the figures and the ratios daily / full,
no-op / full and full / floor, and writes them to the results JSON.
Generated data and warehouses are deleted afterwards.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_build import _measure  # noqa: E402

from cs_segments.deliveries import write_delivery  # noqa: E402

LAST_DAY = dt.date(2026, 6, 30)  # cs_segments.generate default --as-of
DBT_ARGS = ["build", "--select", "resource_type:seed", "resource_type:model",
            "--indirect-selection", "empty"]


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


def bench_scale(accounts: int, seed: int, work: Path) -> dict:
    from cs_segments.generate import generate

    raw, export = work / f"raw_{accounts}", work / f"export_{accounts}"
    dbt_dir = work / f"dbt_{accounts}"
    for folder in (raw, export, dbt_dir):
        shutil.rmtree(folder, ignore_errors=True)
    dbt_dir.mkdir(parents=True)
    generate(accounts=accounts, seed=seed, out=raw, fmt="parquet",
             progress=False)
    env = dict(os.environ, CS_RAW_DIR=str(export), CS_RAW_FORMAT="parquet",
               CS_DUCKDB_PATH=str(dbt_dir / "wh.duckdb"),
               DBT_PROFILES_DIR=str(ROOT),
               DBT_TARGET_PATH=str(dbt_dir / "target"),
               DBT_LOG_PATH=str(dbt_dir / "logs"))
    dbt = [str(Path(sys.executable).parent / "dbt"), *DBT_ARGS,
           "--project-dir", str(ROOT)]
    out: dict = {"accounts": accounts, "floor_s": round(_floor(raw), 2)}

    write_delivery(raw, export, LAST_DAY - dt.timedelta(days=1))
    wall, rss = _measure(dbt, env)
    out["full_build_day_before_s"], out["full_build_day_before_rss_mib"] = (
        round(wall, 1), round(rss))
    write_delivery(raw, export, None)
    for step in ("daily_run", "noop_run"):
        wall, rss = _measure(dbt, env)
        out[f"{step}_s"], out[f"{step}_rss_mib"] = round(wall, 1), round(rss)
    (dbt_dir / "wh.duckdb").unlink()
    wall, rss = _measure(dbt, env)
    out["full_build_s"], out["full_build_rss_mib"] = round(wall, 1), round(rss)
    out["ratio_daily_to_full"] = round(out["daily_run_s"] / out["full_build_s"], 2)
    out["ratio_noop_to_full"] = round(out["noop_run_s"] / out["full_build_s"], 2)
    out["ratio_full_to_floor"] = round(out["full_build_s"] / out["floor_s"], 1)
    for folder in (raw, export, dbt_dir):
        shutil.rmtree(folder, ignore_errors=True)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, nargs="+", default=[2000])
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--work", default="/tmp/bench_schedule")
    parser.add_argument("--results",
                        default=str(ROOT / "benchmarks/results/schedule.json"))
    args = parser.parse_args()
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    results = {
        "measured_at": dt.datetime.now(dt.timezone.utc).isoformat(
            timespec="seconds"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "note": "one run per scale; dbt seeds + models, no tests; each step "
                "its own process",
        "scales": [],
    }
    for accounts in args.accounts:
        row = bench_scale(accounts, args.seed, work)
        results["scales"].append(row)
        print(json.dumps(row, indent=2))
    Path(args.results).write_text(json.dumps(results, indent=2) + "\n")
    print(f"wrote {args.results}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
