"""The main job: make the demo data, build the warehouse, print the summary.

    python -m cs_segments.run [--accounts N] [--seed S] [--raw-dir DIR]

With --raw-dir pointing at your own exports the generator is skipped and
the warehouse is built from your files (see README, "Use your own data").
Errors are reported as one readable message, never as a traceback.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_RAW_DIR = ROOT / "data" / "demo"
DEFAULT_DB = ROOT / "warehouse" / "work" / "cs_segments.duckdb"


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m cs_segments.run",
        description="Build the segmentation warehouse and print a summary.",
    )
    parser.add_argument("--accounts", type=int, default=2000,
                        help="demo accounts to generate (default 2000)")
    parser.add_argument("--seed", type=int, default=42,
                        help="demo data seed (default 42)")
    parser.add_argument("--raw-dir", default=os.environ.get("CS_RAW_DIR"),
                        help="folder of your own raw files; skips the "
                             "demo generator (default: env CS_RAW_DIR, "
                             "else generated demo data in data/demo)")
    parser.add_argument("--raw-format", default=os.environ.get(
        "CS_RAW_FORMAT", "parquet"), choices=["parquet", "csv"])
    parser.add_argument("--db", default=os.environ.get(
        "CS_DUCKDB_PATH", str(DEFAULT_DB)),
        help="DuckDB work database dbt builds into (default "
             "warehouse/work/cs_segments.duckdb, or env CS_DUCKDB_PATH)")
    parser.add_argument("--publish-to", default=os.environ.get(
        "CS_PUBLISHED_PATH"),
        help="DuckDB file BI reads, replaced atomically after a build "
             "whose tests all passed (default warehouse/cs_segments.duckdb, "
             "or env CS_PUBLISHED_PATH)")
    parser.add_argument("--as-of-date", default=None,
                        help="YYYY-MM-DD; default: latest date in the data")
    parser.add_argument("--force", action="store_true",
                        help="build even when the raw files, the project "
                             "and the settings are those of the last "
                             "published build")
    unit = parser.add_mutually_exclusive_group()
    unit.add_argument("--unit-tests", action="store_true",
                      help="run dbt's unit tests even when only the data "
                           "changed since the last published build (by "
                           "default they run when the project, the "
                           "settings or the dbt/DuckDB versions changed)")
    unit.add_argument("--no-unit-tests", action="store_true",
                      help="leave dbt's unit tests out even when the code "
                           "changed (a deployment whose CI ran them, e.g. "
                           "make check); the next build without this flag "
                           "runs them unless this code already passed them "
                           "in a published build")
    return parser.parse_args(argv)


def release_duckdb() -> None:
    """Close the DuckDB database dbt-duckdb keeps open in this process.

    After an in-process dbt invocation dbt-duckdb caches one database handle
    per process (a class attribute of its connection manager); DuckDB then
    refuses another connection to the same file with other settings, such
    as read-only. Closing it is what the adapter itself does before
    switching databases.
    """
    try:
        from dbt.adapters.duckdb.connections import DuckDBConnectionManager
    except ImportError:  # pragma: no cover - adapter not installed
        return
    env = DuckDBConnectionManager._ENV
    if env is not None:
        env.close()
        DuckDBConnectionManager._ENV = None


def build(project_dir: Path, raw_dir: Path, raw_format: str, db: Path,
          as_of_date: str | None = None, select: str | None = None,
          target_path: Path | None = None,
          unit_tests: bool = True) -> tuple[bool, list[str]]:
    """Run `dbt build` in-process. Returns (success, failure messages).
    With `unit_tests` false, dbt's unit tests are left out (seeds, models,
    snapshots and data tests still run)."""
    from dbt.cli.main import dbtRunner

    os.environ["CS_RAW_DIR"] = str(raw_dir)
    os.environ["CS_RAW_FORMAT"] = raw_format
    os.environ["CS_DUCKDB_PATH"] = str(db)
    db.parent.mkdir(parents=True, exist_ok=True)
    args = ["build", "--project-dir", str(project_dir),
            "--profiles-dir", str(project_dir)]
    if target_path is not None:
        args += ["--target-path", str(target_path)]
    if select:
        args += ["--select", select]
    if as_of_date:
        args += ["--vars", json.dumps({"as_of_date": as_of_date})]
    if not unit_tests:
        args += ["--exclude-resource-type", "unit_test"]
    try:
        result = dbtRunner().invoke(args)
    finally:
        release_duckdb()
    failures: list[str] = []
    if result.exception is not None:
        failures.append(str(result.exception))
    elif result.result is not None:
        for node_result in result.result:
            status = str(getattr(node_result, "status", "")).lower()
            if status in {"error", "fail", "runtime error"}:
                failures.append(f"{node_result.node.unique_id}: "
                                f"{node_result.message}")
    return bool(result.success), failures


def main(argv: list[str] | None = None) -> int:
    args = _parse_args(argv)
    try:
        return _main(args)
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # one readable message, never a traceback
        print(f"error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1


def _main(args: argparse.Namespace) -> int:
    db = Path(args.db)
    if args.raw_dir:
        raw_dir = Path(args.raw_dir)
        if not raw_dir.is_dir():
            print(f"error: raw data folder {raw_dir} does not exist",
                  file=sys.stderr)
            return 2
    else:
        from cs_segments.generate import generate

        raw_dir = DEFAULT_RAW_DIR
        print(f"Generating demo data: {args.accounts} accounts, seed "
              f"{args.seed} -> {raw_dir}")
        generate(accounts=args.accounts, seed=args.seed, out=raw_dir,
                 fmt=args.raw_format)

    from cs_segments import inputs
    from cs_segments.publish import published_db_path
    from cs_segments.summary import summary_text

    target = Path(args.publish_to) if args.publish_to else published_db_path()
    current = inputs.fingerprint(ROOT, raw_dir, args.raw_format,
                                 args.as_of_date)
    if not args.force and inputs.unchanged_since_publish(target, current):
        print(f"Nothing to do: the raw files in {raw_dir}, the project and "
              f"the settings are those of the build published to {target} "
              "(use --force to rebuild).\n")
        print(summary_text(target))
        return 0

    # dbt's unit tests have fixed inputs: when only the data changed since
    # the published build (same project, settings and versions), they would
    # give the result its build gave, so they are left out (dbt's advice:
    # unit tests belong to development and CI, not to every production run).
    code_passed = inputs.code_unchanged_since_publish(target, current)
    unit_tests = args.unit_tests or not (code_passed or args.no_unit_tests)
    print(f"Building the warehouse {db} from {raw_dir} ({args.raw_format})")
    if args.no_unit_tests and not code_passed:
        print("Unit tests: left out (--no-unit-tests); the next build without "
              "that flag runs them.")
    elif not unit_tests:
        print("Unit tests: left out, only the data changed since the "
              "published build, whose code passed them (--unit-tests to run "
              "them).")
    # A build that does not publish must not leave an old record saying
    # the published file matches these inputs.
    inputs.forget(target)
    ok, failures = build(ROOT, raw_dir, args.raw_format, db,
                         as_of_date=args.as_of_date, unit_tests=unit_tests)

    if not ok:
        print("\nThe build failed:", file=sys.stderr)
        for failure in failures or ["see the dbt log above"]:
            print(f"  - {failure}", file=sys.stderr)
        print("Nothing was published: the file BI reads keeps the last "
              "good build.", file=sys.stderr)
        if db.exists():
            print("\nWhat did build (work database, not published):")
            print(summary_text(db))
        return 1

    from cs_segments.publish import PublishError, publish
    from cs_segments.report import write_report_after_run

    try:
        published = publish(db, args.publish_to)
    except PublishError as exc:
        print(f"\nerror: {exc}", file=sys.stderr)
        return 1
    inputs.save(Path(published.path), current,
                unit_tests_passed=unit_tests or code_passed)
    print(f"Published the marts as of {published.as_of_date} to "
          f"{published.path}\n")
    print(summary_text(published.path))
    # The report reads the reporting views of the work database; it is
    # written next to the published file.
    write_report_after_run(db, Path(published.path))
    return 0


if __name__ == "__main__":
    sys.exit(main())
