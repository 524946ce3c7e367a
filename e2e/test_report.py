"""The HTML segment report and the dbt docs site, checked as a person sees
them: opened from a file in a real headless Chromium (Debian's `chromium`,
driven by playwright with executable_path; `make check` installs it), with
no network.

The report must load without console errors and every chart must render
(a non-empty SVG with its title and labels); a screenshot is saved under
pytest's temporary folder, and also to $CS_REPORT_SCREENSHOT when set (the
README's image: `make report-screenshot`).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from conftest import run_dbt

CHROMIUM = os.environ.get("CS_CHROMIUM", "/usr/bin/chromium")

# chart id -> words its title must contain
CHART_TITLES = {
    "chart-pyramid": "Static pyramid",
    "chart-overlap": "Overlap of dynamic segments",
    "chart-flows": "Flows between lifecycle stages and value tiers",
    "chart-sizes": "Segment sizes over the weekly history",
    "chart-indicators": "Learned churn indicators",
    "chart-csm_load": "CSM load against capacity",
    "chart-backtest": "Backtest of the churn signals",
    "chart-changes": "Segment entries and exits",
}


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"no Chromium at {CHROMIUM}: run `make browser` "
                    "(apt-get install chromium) or set CS_CHROMIUM")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox"])
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def report_file(full_db, tmp_path_factory) -> Path:
    from cs_segments.report import write_report

    return write_report(full_db,
                        tmp_path_factory.mktemp("report") / "report.html")


def _open(browser, url: str):
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text)
            if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    # no network: any request that is not a file fails the page
    page.route("**/*", lambda route: route.continue_()
               if route.request.url.startswith("file:") else route.abort())
    page.goto(url)
    return page, errors


def test_report_renders_every_chart(browser, report_file, tmp_path):
    assert report_file.stat().st_size > 1_000_000  # plotly.js is inlined
    page, errors = _open(browser, report_file.as_uri())
    page.wait_for_function(
        f"document.querySelectorAll('.js-plotly-plot .main-svg').length"
        f" >= {len(CHART_TITLES)}", timeout=60_000)
    charts = page.evaluate("""
        () => Object.fromEntries(
            Array.from(document.querySelectorAll('.js-plotly-plot')).map(d => [
                d.id,
                {marks: d.querySelectorAll(
                    'path, rect, .point, .sankey-node, .sankey-link').length,
                 title: (d.querySelector('.gtitle') || {}).textContent || '',
                 text: d.textContent}]))
    """)
    assert set(charts) == set(CHART_TITLES), charts.keys()
    for chart_id, words in CHART_TITLES.items():
        assert words in charts[chart_id]["title"], (chart_id, charts[chart_id])
        assert charts[chart_id]["marks"] > 10, (chart_id, charts[chart_id])
    # labels a reader needs
    assert "strategic" in charts["chart-pyramid"]["text"]
    assert "behaviour_churn_risk" in charts["chart-overlap"]["text"]
    assert "lifecycle_" in charts["chart-flows"]["text"]
    assert "stopped_search" in charts["chart-indicators"]["text"]
    assert "renewal_at_risk" in charts["chart-backtest"]["text"]
    body = page.inner_text("body")
    assert "accounts per churner found" in body and "playbook" in body
    shot = tmp_path / "report.png"
    page.screenshot(path=str(shot))
    assert shot.stat().st_size > 20_000
    if os.environ.get("CS_REPORT_SCREENSHOT"):
        shutil.copy(shot, os.environ["CS_REPORT_SCREENSHOT"])
    assert not errors, errors
    page.close()


def test_report_command_writes_a_file(full_db, tmp_path):
    from cs_segments.report import main

    out = tmp_path / "r.html"
    assert main(["--db", str(full_db), "--out", str(out)]) == 0
    assert out.exists() and "Customer Success segment report" in \
        out.read_text(encoding="utf-8")[-2_000_000:]
    assert main(["--db", str(tmp_path / "missing.duckdb"),
                 "--out", str(out)]) == 1


def test_dbt_docs_static_page_lists_the_marts(browser, full_build,
                                               generated_raw):
    workdir = Path(full_build.db_path).parent
    page_file = workdir / "target" / "static_index.html"
    if not page_file.exists():  # e2e/test_docs.py generates it first
        docs = run_dbt(["docs", "generate", "--static"], workdir=workdir,
                       raw_dir=generated_raw)
        assert docs.success, docs.text
    assert page_file.exists()
    # dbt's own page logs icon errors under file:// URLs: not checked
    page, _ = _open(browser, page_file.as_uri())
    page.wait_for_function(
        "document.body.innerText.includes('Semantic Models')",
        timeout=60_000)
    # every mart has its page, with its description and columns
    for mart, column in (("rpt_churn_signal_backtest", "precision_rate"),
                         ("rpt_segment_changes", "playbook_action"),
                         ("dim_accounts", "value_tier"),
                         ("fct_mrr_monthly", "churn_mrr_usd")):
        page.goto(f"{page_file.as_uri()}#!/model/model.cs_segments.{mart}")
        page.wait_for_function(
            f"document.body.innerText.includes('{column}')",
            timeout=30_000)
        assert mart in page.inner_text("body")
    page.close()


def test_main_command_hook_writes_the_report(full_db, tmp_path, capsys):
    """The hook cs_segments.run calls after the summary: the report next
    to the warehouse file, or one line saying why not (no traceback)."""
    from cs_segments.report import DEFAULT_OUT_NAME, write_report_after_run

    db = tmp_path / "wh.duckdb"
    shutil.copy(full_db, db)
    write_report_after_run(db)
    assert (tmp_path / DEFAULT_OUT_NAME).exists()
    assert "Report:" in capsys.readouterr().out
    write_report_after_run(tmp_path / "missing" / "wh.duckdb")
    err = capsys.readouterr().err
    assert err.strip().startswith("Report not written: no warehouse at")
