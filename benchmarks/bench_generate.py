"""Benchmark the demo-data generator at scale.

    python benchmarks/bench_generate.py [--accounts 100000] [--seed 42]
        [--out /tmp/bench_data] [--results benchmarks/results/generate.json]
        [--format parquet|csv] [--keep]

Runs `python -m cs_segments.generate` as a subprocess, so the peak memory
measured (getrusage RUSAGE_CHILDREN ru_maxrss) is the generator's own, and
records wall time, peak RSS and the row count of every table it wrote. The
figures are printed, written to the results JSON and summarised in one
markdown-friendly line. The generated files are deleted afterwards unless
--keep is given (they are large; never commit them).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cs_segments.generate import PLANTED_DIR, PLANTED_TABLE, TABLES  # noqa: E402


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="bench_generate.py",
                                     description="Time the demo-data generator.")
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--out", default="/tmp/bench_data")
    parser.add_argument("--results", default=str(ROOT / "benchmarks" / "results" / "generate.json"))
    parser.add_argument("--format", dest="fmt", choices=["parquet", "csv"], default="parquet")
    parser.add_argument("--keep", action="store_true", help="keep the generated files")
    return parser.parse_args(argv)


def _count_rows(out: Path, fmt: str) -> dict[str, int]:
    import duckdb

    con = duckdb.connect()
    counts = {}
    for table in TABLES + [f"{PLANTED_DIR}/{PLANTED_TABLE}"]:
        path = out / f"{table}.{fmt}"
        if fmt == "parquet":
            sql = f"SELECT count(*) FROM read_parquet('{path}')"
        else:
            sql = f"SELECT count(*) FROM read_csv('{path}', header = true, all_varchar = true)"
        counts[table.split("/")[-1]] = int(con.execute(sql).fetchone()[0])
    con.close()
    return counts


def _size_bytes(out: Path, fmt: str) -> int:
    files = [out / f"{t}.{fmt}" for t in TABLES] + [out / PLANTED_DIR / f"{PLANTED_TABLE}.{fmt}"]
    return sum(f.stat().st_size for f in files if f.exists())


def _cleanup(out: Path, fmt: str) -> None:
    """Remove only the files the generator writes (never the whole folder blindly)."""
    for table in TABLES:
        (out / f"{table}.{fmt}").unlink(missing_ok=True)
    truth = out / PLANTED_DIR
    (truth / f"{PLANTED_TABLE}.{fmt}").unlink(missing_ok=True)
    for folder in (truth, out):
        try:
            folder.rmdir()
        except OSError:
            pass
    for leftover in out.glob(".cs_generate_*"):
        shutil.rmtree(leftover, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    args = _parse_args(argv)
    out = Path(args.out)
    cmd = [sys.executable, "-m", "cs_segments.generate", "--accounts", str(args.accounts),
           "--seed", str(args.seed), "--out", str(out), "--format", args.fmt]
    print("running:", " ".join(cmd), flush=True)
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        print(f"generator failed with exit code {proc.returncode}", file=sys.stderr)
        return proc.returncode
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # KiB on Linux
    peak_mb = peak_kb / 1024.0

    rows = _count_rows(out, args.fmt)
    size = _size_bytes(out, args.fmt)
    events = rows["usage_events"]
    import duckdb
    import numpy

    result = {
        "benchmark": "generate",
        "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "accounts": args.accounts,
        "seed": args.seed,
        "format": args.fmt,
        "cpu_count": os.cpu_count(),
        "wall_seconds": round(wall, 1),
        "peak_rss_mb": round(peak_mb, 1),
        "usage_events": events,
        "usage_events_per_second": round(events / wall) if wall > 0 else None,
        "output_bytes": size,
        "rows": rows,
        "python": platform.python_version(),
        "duckdb": duckdb.__version__,
        "numpy": numpy.__version__,
        "platform": platform.platform(),
    }
    result["summary"] = (
        f"| generate | {args.accounts:,} accounts | {events / 1e6:,.1f}M usage events | "
        f"{wall:,.0f} s | peak RSS {peak_mb / 1024:.2f} GiB | {size / 2**30:.2f} GiB {args.fmt} | "
        f"{os.cpu_count()} CPUs |")

    print()
    print(f"wall time      {wall:10.1f} s")
    print(f"peak RSS       {peak_mb:10.1f} MiB")
    print(f"output size    {size / 2**20:10.1f} MiB")
    for table, n in rows.items():
        print(f"  {table:<18} {n:>14,}")
    print()
    print(result["summary"])

    results = Path(args.results)
    results.parent.mkdir(parents=True, exist_ok=True)
    results.write_text(json.dumps(result, indent=2) + "\n")
    print(f"results written to {results}")

    if not args.keep:
        _cleanup(out, args.fmt)
        print(f"removed the generated files in {out} (use --keep to keep them)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
