"""Benchmark the segment diff: a one-threshold change against a full build.

    python benchmarks/bench_diff.py [--accounts 2000 20000] [--seed 42]
        [--work /tmp/bench_diff] [--results benchmarks/results/diff.json]

For each scale: generate the demo data, export the committed project
(`git archive HEAD`) into a fresh git repository, then run
`python -m cs_segments.diff --base main` three times, each its own
subprocess (wall time and peak RSS of the process tree's largest child):

1. cold, no change: the base is built from scratch (seeds + every model, no
   tests: the full build) into the diff cache;
2. warm, one threshold changed in the working tree
   (segment_ready_to_expand_min_seat_utilisation 0.9 -> 0.8): the base comes
   from the cache, the head rebuilds only the models reading the var and
   their children in a copy of the base warehouse;
3. warm, no change (nothing to rebuild: dbt ls + copy + compare).

Prints the figures and writes them to the results JSON. One run each;
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
VAR = "segment_ready_to_expand_min_seat_utilisation"
GIT = ["git", "-c", "user.name=bench", "-c", "user.email=bench@example.com",
       "-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main"]

# Runs one command and prints its children's peak RSS (KiB) and CPU seconds
# (user + system, every descendant waited for) on the last line. CPU time
# is less sensitive than wall time to other jobs on a shared machine.
_MEASURE = (
    "import resource, subprocess, sys\n"
    "rc = subprocess.call(sys.argv[1:], stdout=subprocess.DEVNULL)\n"
    "use = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
    "print(use.ru_maxrss, use.ru_utime + use.ru_stime)\n"
    "sys.exit(rc)\n"
)


def _measure(cmd: list[str],
             env: dict[str, str]) -> tuple[float, float, float]:
    """(wall seconds, peak RSS MiB, CPU seconds) of `cmd`; raises if it
    fails."""
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", _MEASURE, *cmd], env=env,
                          capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"failed: {' '.join(cmd)}\n{done.stderr[-3000:]}")
    rss_kib, cpu = done.stdout.strip().splitlines()[-1].split()
    return wall, int(rss_kib) / 1024, float(cpu)


def _project(dest: Path) -> Path:
    """The committed project (HEAD) as a fresh git repository, branch main."""
    from cs_segments.diff import export_commit

    export_commit(ROOT, "HEAD", dest)
    for args in (["init", "-q"], ["add", "-A"],
                 ["commit", "-q", "-m", "base"]):
        subprocess.run([*GIT, "-C", str(dest), *args], check=True)
    return dest


def _diff(project: Path, raw: Path, cache: Path, out: Path,
          env: dict[str, str]) -> tuple[float, float, float, dict]:
    wall, rss, cpu = _measure(
        [sys.executable, "-m", "cs_segments.diff", "--base", "main",
         "--project-dir", str(project), "--raw-dir", str(raw),
         "--cache-dir", str(cache), "--out-dir", str(out)], env)
    return wall, rss, cpu, json.loads((out / "diff.json").read_text())


def bench_scale(accounts: int, seed: int, work: Path) -> dict:
    scale = work / f"scale_{accounts}"
    shutil.rmtree(scale, ignore_errors=True)
    scale.mkdir(parents=True)
    raw, cache = scale / "raw", scale / "cache"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    gen_wall, _, _ = _measure(
        [sys.executable, "-m", "cs_segments.generate", "--accounts",
         str(accounts), "--seed", str(seed), "--out", str(raw), "--quiet"],
        env)
    project = _project(scale / "project")

    cold_wall, cold_rss, cold_cpu, cold = _diff(project, raw, cache, scale / "cold",
                                      env)
    yml = project / "dbt_project.yml"
    text = yml.read_text()
    changed = text.replace(f"{VAR}: 0.9\n", f"{VAR}: 0.8\n")
    assert changed != text, f"{VAR}: 0.9 not found in dbt_project.yml"
    yml.write_text(changed)
    warm_wall, warm_rss, warm_cpu, warm = _diff(project, raw, cache, scale / "warm",
                                      env)
    yml.write_text(text)
    same_wall, _, same_cpu, same = _diff(project, raw, cache, scale / "same", env)
    db = next(cache.glob("*/db/*.duckdb"))
    warehouse_mb = db.stat().st_size / 2**20
    shutil.rmtree(scale, ignore_errors=True)
    full_build = cold["base"]["build_seconds"]
    return {
        "accounts": accounts,
        "generate_seconds": round(gen_wall, 1),
        "full_build_seconds": full_build,
        "cold_diff_seconds": round(cold_wall, 1),
        "cold_diff_peak_rss_mb": round(cold_rss),
        "threshold_diff_seconds": round(warm_wall, 1),
        "threshold_diff_peak_rss_mb": round(warm_rss),
        "threshold_head_build_seconds": warm["head"]["build_seconds"],
        "threshold_rebuilt_nodes": len(warm["head"]["rebuilt"]),
        "threshold_accounts_changed": warm["diff"]["accounts_changed"],
        "threshold_arr_changed_share": round(
            warm["diff"]["arr_changed_share"], 4),
        "no_change_diff_seconds": round(same_wall, 1),
        "no_change_accounts_changed": same["diff"]["accounts_changed"],
        "cold_diff_cpu_seconds": round(cold_cpu, 1),
        "threshold_diff_cpu_seconds": round(warm_cpu, 1),
        "no_change_diff_cpu_seconds": round(same_cpu, 1),
        "full_build_over_threshold_diff": round(full_build / warm_wall, 2),
        # CPU: the cold diff minus the no-change diff's fixed costs
        # (dbt parse, copy, compare) approximates the full build's CPU.
        "cold_over_threshold_diff_cpu": round(cold_cpu / warm_cpu, 2),
        "load_average_1m_at_end": round(os.getloadavg()[0], 1),
        "warehouse_mb": round(warehouse_mb),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench_diff.py",
                                     description="Time the segment diff.")
    parser.add_argument("--accounts", type=int, nargs="+",
                        default=[2000, 20000])
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--work", default="/tmp/bench_diff")
    parser.add_argument("--results", default=str(
        ROOT / "benchmarks" / "results" / "diff.json"))
    args = parser.parse_args(argv)
    rows = []
    for accounts in args.accounts:
        row = bench_scale(accounts, args.seed, Path(args.work))
        rows.append(row)
        print(json.dumps(row), flush=True)
    print("| accounts | full build (base) | one-threshold diff | of which "
          "head build | rebuilt nodes | no-change diff | ratio | CPU: cold "
          "diff / threshold diff |")
    print("|---|---|---|---|---|---|---|---|")
    for row in rows:
        print(f"| {row['accounts']:,} | {row['full_build_seconds']:.0f} s "
              f"| {row['threshold_diff_seconds']:.0f} s "
              f"| {row['threshold_head_build_seconds']:.0f} s "
              f"| {row['threshold_rebuilt_nodes']} "
              f"| {row['no_change_diff_seconds']:.0f} s "
              f"| {row['full_build_over_threshold_diff']:.1f}x "
              f"| {row['cold_diff_cpu_seconds']:.0f} s / "
              f"{row['threshold_diff_cpu_seconds']:.0f} s |")
    result = {
        "benchmark": "segment diff (DuckDB): one threshold vs full build",
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
