"""The semantic layer answers: `mf query` (dbt-metricflow) for every metric
on the demo warehouse of the shared build, with a few values checked against
SQL written here from the raw files, and the exposures' lineage.

mf reads `<project>/target/semantic_manifest.json` and the dbt profile; the
build's manifest is copied into a scratch project folder (dbt_project.yml
only), so nothing is written to the repository.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import duckdb
import pytest

from conftest import REPO_ROOT, query, run_dbt

DEMO_AS_OF = date(2026, 6, 30)  # cs_segments.generate default --as-of
MONTH_START, MONTH_END = date(2026, 5, 31), DEMO_AS_OF  # June 2026

# One mf call per group of metrics sharing a group-by; together they cover
# every metric of the project (checked below).
QUERIES = {
    "tier": (["arr", "accounts"], ["account__value_tier"]),
    "stage": (["arr", "accounts"],
              ["account__lifecycle_stage", "account__outcome_status"]),
    "segment": (["segment_members"], ["account_segment__segment_key"]),
    "segment_arr": (["segment_arr"], ["tier_segment__segment_key"]),
    "changes": (["segment_entries", "segment_exits"],
                ["metric_time__week", "segment_transition__segment_key"]),
    "revenue": (["mrr", "starting_mrr", "new_mrr", "expansion_mrr",
                 "contraction_mrr", "churned_mrr", "reactivation_mrr",
                 "net_revenue_retention", "gross_revenue_retention",
                 "logo_churn_rate", "churned_logos",
                 "paying_accounts_at_start"], ["metric_time__month"]),
}


@pytest.fixture(scope="session")
def mf_results(full_db, tmp_path_factory) -> dict[str, list[dict]]:
    project = tmp_path_factory.mktemp("mf_project")
    shutil.copy(REPO_ROOT / "dbt_project.yml", project / "dbt_project.yml")
    (project / "target").mkdir()
    shutil.copy(Path(full_db).parent / "target" / "semantic_manifest.json",
                project / "target" / "semantic_manifest.json")
    env = dict(os.environ, DBT_PROFILES_DIR=str(REPO_ROOT),
               CS_DUCKDB_PATH=str(full_db))
    mf = Path(sys.executable).with_name("mf")
    results = {}
    for name, (metrics, group_by) in QUERIES.items():
        out = project / f"{name}.csv"
        done = subprocess.run(
            [str(mf), "query", "--metrics", ",".join(metrics),
             "--group-by", ",".join(group_by), "--csv", str(out)],
            cwd=project, env=env, capture_output=True, text=True,
            check=False)
        assert done.returncode == 0 and out.exists(), (
            name, done.stdout[-2000:], done.stderr[-2000:])
        with open(out, newline="") as f:
            results[name] = list(csv.DictReader(f))
        assert results[name], f"mf query {name} returned no row"
    return results


def test_every_metric_is_queried(full_db):
    manifest = json.loads(
        (Path(full_db).parent / "target" / "semantic_manifest.json")
        .read_text())
    defined = {metric["name"] for metric in manifest["metrics"]}
    queried = {m for metrics, _ in QUERIES.values() for m in metrics}
    assert defined == queried


def _month_end_mrr(raw: Path, day: date) -> dict[str, float]:
    """MRR per account on `day` straight from subscriptions.parquet and the
    currency seed: charge per interval / 12 for yearly billing."""
    with open(REPO_ROOT / "seeds" / "currency_rates.csv", newline="") as f:
        rates = {row["currency"]: float(row["usd_per_unit"])
                 for row in csv.DictReader(f)}
    rows = duckdb.sql(f"""
        select lower(trim(account_id)), billing_interval, amount, currency
        from read_parquet('{raw / "subscriptions.parquet"}')
        where amount > 0 and start_date <= date '{day}'
          and (end_date is null or end_date > date '{day}')
    """).fetchall()
    out: dict[str, float] = {}
    for account_id, interval, amount, currency in rows:
        per_month = float(amount) * rates[currency] / (
            12 if interval == "year" else 1)
        out[account_id] = out.get(account_id, 0.0) + per_month
    return out


def test_revenue_metrics_match_raw(mf_results, generated_raw):
    """June 2026: MRR, starting MRR, net and gross revenue retention and
    logo churn rate, recomputed from the raw subscriptions: NRR = sum over
    the accounts paying at the start of their MRR now / their MRR then; GRR
    the same with each account capped at its starting MRR; logo churn =
    those paying nothing now / those paying at the start."""
    start = _month_end_mrr(Path(generated_raw), MONTH_START)
    end = _month_end_mrr(Path(generated_raw), MONTH_END)
    base = sum(start.values())
    nrr = sum(end.get(a, 0.0) for a in start) / base
    grr = sum(min(end.get(a, 0.0), m) for a, m in start.items()) / base
    logo_churn = sum(1 for a in start if end.get(a, 0.0) == 0) / len(start)
    row = next(r for r in mf_results["revenue"]
               if r["metric_time__month"].startswith("2026-06-01"))
    assert float(row["mrr"]) == pytest.approx(sum(end.values()), abs=1)
    assert float(row["starting_mrr"]) == pytest.approx(base, abs=1)
    assert float(row["net_revenue_retention"]) == pytest.approx(nrr, abs=1e-4)
    assert float(row["gross_revenue_retention"]) == pytest.approx(
        grr, abs=1e-4)
    assert float(row["logo_churn_rate"]) == pytest.approx(
        logo_churn, abs=1e-9)
    assert 0 < grr <= 1 and nrr > 0


def test_accounts_and_arr_by_tier_and_stage(mf_results, full_db):
    tiers = {r["account__value_tier"]: (float(r["arr"]), int(r["accounts"]))
             for r in mf_results["tier"]}
    expected = {tier: (float(arr), n) for tier, arr, n in query(full_db, """
        select value_tier, sum(arr_usd), count(*) from marts.dim_accounts
        group by 1""")}
    assert tiers.keys() == expected.keys()
    for tier, (arr, n) in expected.items():
        assert tiers[tier][1] == n and tiers[tier][0] == pytest.approx(arr)
    stage_total = sum(int(r["accounts"]) for r in mf_results["stage"])
    assert stage_total == sum(n for _, n in expected.values())


def test_segment_entries_per_week(mf_results, full_db):
    got = {(r["metric_time__week"][:10], r["segment_transition__segment_key"]):
           (int(float(r["segment_entries"])), int(float(r["segment_exits"])))
           for r in mf_results["changes"]}
    expected = {
        (str(week), key): (entries, exits)
        for week, key, entries, exits in query(full_db, """
            select date_trunc('week', transition_date)::date, segment_key,
                count(*) filter (where transition_type = 'entered'
                                 and not is_initial_entry),
                count(*) filter (where transition_type = 'exited')
            from marts.fct_segment_transitions group by 1, 2""")}
    assert got == expected
    members = {r["account_segment__segment_key"]: int(r["segment_members"])
               for r in mf_results["segment"]}
    assert members == dict(query(full_db, """
        select segment_key, count(*) from marts.fct_account_segments
        group by 1"""))


def test_exposures_list_their_dependencies(full_build, generated_raw):
    listed = run_dbt(["ls", "--select", "+exposure:csm_worklist",
                      "--output", "name"],
                     workdir=Path(full_build.db_path).parent,
                     raw_dir=generated_raw)
    assert listed.success, listed.text
    names = set(" ".join(listed.messages).split())
    assert {"csm_worklist", "rpt_csm_worklist", "rpt_segment_changes",
            "dim_accounts", "stg_raw__subscriptions"} <= names, names
