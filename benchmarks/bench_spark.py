"""Benchmark the same dbt build on DuckDB and on Spark, one machine.

    .venv-spark/bin/python benchmarks/bench_spark.py [--accounts 2000]
        [--seed 42] [--vars '{history_weeks: 260}'] [--work /tmp/bench_spark]
        [--results benchmarks/results/spark.json]

Needs the Spark venv (`make .venv-spark/bin/dbt`: requirements-spark.txt
holds dbt-duckdb and dbt-spark, so one dbt runs both targets) and Java 17.
`make bench-spark` runs it at 2,000 accounts.

For each scale: generate the demo data once, then build seeds and models
(no tests) from an empty warehouse, each engine its own dbt subprocess with
the same data and the same vars: target `duckdb` (a DuckDB file) and target
`spark` (dbt-spark `method: session`: a local pyspark session, whose JVM is
a child of the dbt process; parquet tables under a fresh warehouse folder,
Derby metastore). For each: wall time, CPU seconds and peak RSS of the whole
process tree (dbt plus the Spark JVM), sampled from /proc every 0.2 s
(getrusage alone would miss the JVM, which pyspark does not wait for), and
the slowest models from run_results.json. Prints the figures and the ratios
Spark / DuckDB, and writes them to the results JSON. One run each;
generated data and warehouses are deleted afterwards.
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
sys.path.insert(0, str(ROOT))

DBT_ARGS = ["build", "--select", "resource_type:seed", "resource_type:model",
            "--indirect-selection", "empty"]
_PAGE = os.sysconf("SC_PAGE_SIZE")
_TICK = os.sysconf("SC_CLK_TCK")


def _processes() -> dict[int, tuple[int, int, float]]:
    """{pid: (parent pid, RSS bytes, CPU seconds)} of every process."""
    out = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                stat = handle.read()
        except OSError:
            continue
        # fields after the command name, which may hold spaces
        fields = stat[stat.rindex(")") + 2:].split()
        ppid, utime, stime, rss = (int(fields[1]), int(fields[11]),
                                   int(fields[12]), int(fields[21]))
        out[int(entry)] = (ppid, rss * _PAGE, (utime + stime) / _TICK)
    return out


def _tree(root: int, table: dict[int, tuple[int, int, float]]) -> set[int]:
    pids, frontier = {root}, [root]
    while frontier:
        parent = frontier.pop()
        for pid, (ppid, _, _) in table.items():
            if ppid == parent and pid not in pids:
                pids.add(pid)
                frontier.append(pid)
    return pids


def _measure_tree(cmd: list[str], env: dict[str, str],
                  cwd: Path) -> tuple[float, float, float]:
    """(wall seconds, peak RSS MiB of the process tree, CPU seconds of the
    tree) of `cmd`; raises if it fails. The tree is sampled every 0.2 s:
    RSS is the largest sum over the tree's processes at one sample, CPU the
    sum over every process seen of its last CPU reading (a process's last
    0.2 s may be missed)."""
    log = cwd / "command.log"
    start = time.perf_counter()
    with open(log, "w") as out:
        proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=out,
                                stderr=subprocess.STDOUT)
        peak, cpu = 0, {}
        while proc.poll() is None:
            table = _processes()
            members = _tree(proc.pid, table)
            peak = max(peak, sum(table[p][1] for p in members if p in table))
            for pid in members:
                if pid in table:
                    cpu[pid] = table[pid][2]
            time.sleep(0.2)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"failed: {' '.join(cmd)}\n"
                         f"{log.read_text()[-3000:]}")
    return wall, peak / 2**20, sum(cpu.values())


def _run_results(target_dir: Path) -> tuple[int, dict[str, float]]:
    """(nodes that succeeded, the 8 slowest nodes in seconds)."""
    results = json.loads((target_dir / "run_results.json").read_text())
    ok = sum(1 for r in results["results"] if r["status"] == "success")
    slowest = sorted(((r["unique_id"].split(".")[-1],
                       round(r["execution_time"], 1))
                      for r in results["results"]), key=lambda i: -i[1])
    return ok, dict(slowest[:8])


def bench_scale(accounts: int, seed: int, dbt_vars: str | None,
                work: Path) -> dict:
    from cs_segments.generate import generate

    raw = work / f"raw_{accounts}"
    shutil.rmtree(raw, ignore_errors=True)
    generate(accounts=accounts, seed=seed, out=raw, fmt="parquet",
             progress=False)
    dbt = [str(Path(sys.executable).parent / "dbt"), *DBT_ARGS,
           "--project-dir", str(ROOT)]
    if dbt_vars:
        dbt += ["--vars", dbt_vars]
    row: dict = {"accounts": accounts}
    for engine in ("duckdb", "spark"):
        run_dir = work / f"{engine}_{accounts}"
        shutil.rmtree(run_dir, ignore_errors=True)
        run_dir.mkdir(parents=True)
        env = dict(os.environ, CS_RAW_DIR=str(raw), CS_RAW_FORMAT="parquet",
                   CS_DBT_TARGET=engine,
                   CS_DUCKDB_PATH=str(run_dir / "wh.duckdb"),
                   CS_SPARK_WAREHOUSE_DIR=str(run_dir / "spark-warehouse"),
                   CS_SPARK_METASTORE_DIR=str(run_dir / "metastore"),
                   DBT_PROFILES_DIR=str(ROOT),
                   DBT_TARGET_PATH=str(run_dir / "target"),
                   DBT_LOG_PATH=str(run_dir / "logs"))
        print(f"{accounts} accounts: building on {engine}", flush=True)
        load = os.getloadavg()[0]
        wall, rss, cpu = _measure_tree(dbt, env, run_dir)
        nodes, slowest = _run_results(run_dir / "target")
        row[engine] = {"wall_s": round(wall, 1), "cpu_s": round(cpu, 1),
                       "peak_rss_mib": round(rss), "nodes_succeeded": nodes,
                       "load_average_1m_at_start": round(load, 1),
                       "slowest_nodes_s": slowest}
        print(json.dumps({engine: row[engine]}), flush=True)
        shutil.rmtree(run_dir, ignore_errors=True)
    if row["duckdb"]["nodes_succeeded"] != row["spark"]["nodes_succeeded"]:
        raise SystemExit(f"the engines built different node counts: {row}")
    for measure in ("wall_s", "cpu_s", "peak_rss_mib"):
        row[f"ratio_spark_to_duckdb_{measure.rsplit('_', 1)[0]}"] = round(
            row["spark"][measure] / row["duckdb"][measure], 1)
    shutil.rmtree(raw, ignore_errors=True)
    return row


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench_spark.py",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, nargs="+", default=[2000])
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--vars", default=None,
                        help="dbt --vars for both builds (default: none, "
                             "the project's defaults)")
    parser.add_argument("--work", default="/tmp/bench_spark")
    parser.add_argument("--results",
                        default=str(ROOT / "benchmarks/results/spark.json"))
    args = parser.parse_args(argv)
    if shutil.which("java") is None:
        raise SystemExit("bench_spark.py needs Java 17 (java not on PATH)")
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    result = {
        "benchmark": "dbt build, seeds + models, no tests: DuckDB vs Spark "
                     "(dbt-spark method: session, local pyspark)",
        "measured_at": dt.datetime.now(dt.timezone.utc).isoformat(
            timespec="seconds"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "python": platform.python_version(),
        "seed": args.seed,
        "vars": args.vars,
        "spark_settings": {
            "shuffle_partitions": os.environ.get(
                "CS_SPARK_SHUFFLE_PARTITIONS", "4"),
            "driver_memory": os.environ.get("CS_SPARK_DRIVER_MEMORY", "2g"),
        },
        "note": "one run per scale and engine, each its own dbt process; "
                "peak RSS and CPU of the process tree (dbt + Spark JVM)",
        "scales": [],
    }
    for accounts in args.accounts:
        result["scales"].append(
            bench_scale(accounts, args.seed, args.vars, work))
    print("| accounts | DuckDB | Spark | Spark / DuckDB (wall) | "
          "CPU DuckDB / Spark | peak RSS DuckDB / Spark |")
    print("|---|---|---|---|---|---|")
    for row in result["scales"]:
        duck, spark = row["duckdb"], row["spark"]
        print(f"| {row['accounts']:,} | {duck['wall_s']:.0f} s | "
              f"{spark['wall_s']:.0f} s | "
              f"{row['ratio_spark_to_duckdb_wall']}x | "
              f"{duck['cpu_s']:.0f} s / {spark['cpu_s']:.0f} s | "
              f"{duck['peak_rss_mib']} / {spark['peak_rss_mib']} MiB |")
    out = Path(args.results)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
