"""Self-contained HTML segment report of a built warehouse.

    python -m cs_segments.report [--db PATH] [--out FILE]

One HTML file, readable offline (plotly.js is inlined), with one chart per
question a CS leader asks: the static pyramid, the overlap of the dynamic
segments (UpSet-style), flows between lifecycle stages and value tiers over
the last quarter, segment sizes over the weekly history, the learned churn
indicators with their intervals, CSM load against capacity, the backtest of
the churn signals and the week's segment entries and exits.

The data comes from dbt models (models/reporting/rpt_report_* views and the
marts); this module only reads them whole and draws.
"""

from __future__ import annotations

import argparse
import html
import os
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB = ROOT / "warehouse" / "work" / "cs_segments.duckdb"
DEFAULT_PUBLISHED = ROOT / "warehouse" / "cs_segments.duckdb"
DEFAULT_OUT_NAME = "segment_report.html"

# Relations the report reads (dbt models), whole.
RELATIONS = {
    "pyramid": "reporting.rpt_report_pyramid",
    "overlap": "reporting.rpt_report_segment_overlap",
    "flows": "reporting.rpt_report_segment_flows",
    "sizes": "reporting.rpt_report_segment_sizes",
    "indicators": "reporting.rpt_report_churn_indicators",
    "changes_by_segment": "reporting.rpt_report_segment_changes",
    "backtest": "reporting.rpt_report_backtest",
    "csm_load": "marts.rpt_csm_load",
    "tradeoff": "marts.rpt_churn_signal_tradeoff",
    "changes": "marts.rpt_segment_changes",
    "as_of": "reporting.rpt_report_pyramid",
}

TIER_ORDER = ["strategic", "enterprise", "growth", "long_tail"]
MODE_LABEL = {"in_sample": "in-sample (learned on all history)",
              "learned_before": "learned before the date (no leakage)"}


class ReportError(Exception):
    """A readable reason the report could not be written."""


@dataclass
class Chart:
    """One section of the report: a title, a plotly figure, a note."""

    key: str
    title: str
    figure: object | None
    note: str = ""
    table_html: str = ""


def _read(con, relation: str) -> list[dict]:
    cursor = con.execute(f"select * from {relation}")  # noqa: S608
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def load_data(db: str | os.PathLike) -> dict[str, list[dict]]:
    """Every relation of RELATIONS, as lists of row dicts (read-only)."""
    import duckdb

    if not Path(db).exists():
        raise ReportError(f"no warehouse at {db}; build it first "
                          "(python -m cs_segments.run)")
    try:
        con = duckdb.connect(str(db), read_only=True)
    except duckdb.Error as exc:
        raise ReportError(f"cannot open {db}: {exc}") from exc
    try:
        data = {key: _read(con, relation)
                for key, relation in RELATIONS.items() if key != "as_of"}
        as_of = con.execute(
            "select max(as_of_date) from marts.dim_accounts").fetchone()[0]
    except duckdb.Error as exc:
        raise ReportError(f"cannot read the report models in {db}: {exc} "
                          "(rebuild with dbt build)") from exc
    finally:
        con.close()
    data["as_of"] = [{"as_of_date": as_of}]
    return data


def _f(value) -> float:
    return float(value) if value is not None else 0.0


def _layout(fig, title: str, height: int = 420, left: int = 60) -> None:
    fig.update_layout(title={"text": title, "x": 0.01}, height=height,
                      margin={"l": left, "r": 30, "t": 70, "b": 50},
                      template="plotly_white",
                      legend={"orientation": "h", "y": 1.0, "x": 1.0,
                              "xanchor": "right", "yanchor": "bottom"})
    fig.update_yaxes(automargin=True)
    fig.update_xaxes(automargin=True)


def pyramid_chart(rows: list[dict]) -> Chart:
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    rows = sorted(rows, key=lambda r: r["value_tier_rank"])
    tiers = [r["value_tier"] for r in rows]
    fig = make_subplots(rows=1, cols=2, shared_yaxes=True,
                        subplot_titles=("Accounts", "ARR (USD)"))
    fig.add_trace(go.Bar(y=tiers, x=[-r["account_count"] for r in rows],
                         orientation="h", name="accounts",
                         text=[r["account_count"] for r in rows],
                         marker_color="#4c78a8"), 1, 1)
    fig.add_trace(go.Bar(y=tiers, x=[_f(r["arr_usd"]) for r in rows],
                         orientation="h", name="ARR (USD)",
                         text=[f"{_f(r['arr_usd']):,.0f}" for r in rows],
                         marker_color="#f58518"), 1, 2)
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(showticklabels=False, row=1, col=1)
    _layout(fig, "Static pyramid: accounts and ARR per value tier", 360)
    fig.update_layout(showlegend=False)
    total = sum(r["account_count"] for r in rows)
    arr = sum(_f(r["arr_usd"]) for r in rows)
    return Chart("pyramid", "Static pyramid", fig,
                 f"{total:,} accounts, {arr:,.0f} USD ARR. Each account is in "
                 "exactly one tier; the tier decides the engagement model.")


def overlap_chart(rows: list[dict], top: int = 15) -> Chart:
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    rows = sorted(rows, key=lambda r: (-r["account_count"],
                                       r["segment_combination"]))[:top]
    combos = [r["segment_combination"].split(", ") for r in rows]
    segments = sorted({s for combo in combos for s in combo})
    xs = [f"#{i + 1}" for i in range(len(rows))]
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True,
                        row_heights=[0.55, 0.45], vertical_spacing=0.04)
    fig.add_trace(go.Bar(x=xs, y=[r["account_count"] for r in rows],
                         text=[r["account_count"] for r in rows],
                         name="accounts with exactly this combination",
                         marker_color="#4c78a8"), 1, 1)
    for i, combo in enumerate(combos):
        fig.add_trace(go.Scatter(
            x=[xs[i]] * len(segments), y=segments, mode="markers",
            marker={"size": 11, "color": ["#222" if s in combo else "#ddd"
                                          for s in segments]},
            showlegend=False, hoverinfo="skip"), 2, 1)
        if len(combo) > 1:
            fig.add_trace(go.Scatter(x=[xs[i]] * len(combo), y=combo,
                                     mode="lines", line={"color": "#222"},
                                     showlegend=False, hoverinfo="skip"), 2, 1)
    fig.update_yaxes(title_text="accounts", row=1, col=1)
    _layout(fig, "Overlap of dynamic segments (combinations held, "
            "UpSet-style)", 300 + 22 * len(segments), left=220)
    return Chart("overlap", "Overlap of dynamic segments", fig,
                 "Behaviour and composite segments an account holds at the "
                 "same time; one column per combination, the most common "
                 f"first (top {top}).")


def flows_chart(rows: list[dict]) -> Chart:
    import plotly.graph_objects as go

    rows = sorted(rows, key=lambda r: (r["dimension"], r["from_segment_key"],
                                       r["to_segment_key"]))
    labels: list[str] = []

    def node(name: str, side: str) -> int:
        label = f"{name} ({side})"
        if label not in labels:
            labels.append(label)
        return labels.index(label)

    sources = [node(r["from_segment_key"], "from") for r in rows]
    targets = [node(r["to_segment_key"], "to") for r in rows]
    fig = go.Figure(go.Sankey(
        node={"label": labels, "pad": 12, "thickness": 14},
        link={"source": sources, "target": targets,
              "value": [r["moves"] for r in rows]}))
    _layout(fig, "Flows between lifecycle stages and value tiers, last "
            "quarter (13 weeks)", 460)
    moves = sum(r["moves"] for r in rows)
    return Chart("flows", "Flows over the last quarter", fig,
                 f"{moves:,} moves from fct_segment_transitions in the last "
                 "91 days (13 week ends and the as-of date).")


def sizes_chart(rows: list[dict]) -> Chart:
    import plotly.graph_objects as go

    fig = go.Figure()
    for key in sorted({r["segment_key"] for r in rows}):
        points = sorted((r["as_of_date"], r["account_count"]) for r in rows
                        if r["segment_key"] == key)
        fig.add_trace(go.Scatter(x=[p[0] for p in points],
                                 y=[p[1] for p in points],
                                 mode="lines", name=key))
    fig.update_yaxes(title_text="accounts")
    _layout(fig, "Segment sizes over the weekly history", 420)
    return Chart("sizes", "Segment sizes over time", fig,
                 "Accounts in each behaviour and composite segment per weekly "
                 "as-of date.")


def indicators_chart(rows: list[dict]) -> Chart:
    import plotly.graph_objects as go

    rows = sorted(rows, key=lambda r: r["lift_rank"], reverse=True)
    lifts = [_f(r["lift"]) for r in rows]
    fig = go.Figure(go.Scatter(
        x=lifts, y=[r["behaviour_key"] for r in rows], mode="markers",
        marker={"size": 10, "color": ["#e45756" if r["is_selected"]
                                      else "#9d9d9d" for r in rows]},
        error_x={"type": "data", "symmetric": False,
                 "array": [_f(r["lift_ci_upper"]) - lift
                           for r, lift in zip(rows, lifts)],
                 "arrayminus": [lift - _f(r["lift_ci_lower"])
                                for r, lift in zip(rows, lifts)]},
        name="lift (95% interval)"))
    fig.add_vline(x=1, line_dash="dot", line_color="#888")
    fig.update_xaxes(type="log", title_text="lift: churn rate with / without "
                     "(log scale)")
    _layout(fig, "Learned churn indicators: lift and 95% interval "
            "(red = selected as flag)", 440, left=200)
    return Chart("indicators", "Churn indicators", fig,
                 "Behaviours observed before churn and renewal events; a "
                 "behaviour is selected when its lift and interval clear the "
                 "thresholds (int_churn_indicator_lift).")


def csm_load_chart(rows: list[dict]) -> Chart:
    import plotly.graph_objects as go

    rows = sorted(rows, key=lambda r: r["csm_id"])
    # the id keeps two CSMs of the same name apart
    names = [f"{r['csm_name'] or ''} ({r['csm_id']})" for r in rows]
    fig = go.Figure()
    fig.add_trace(go.Bar(x=names, y=[r["assigned_accounts"] for r in rows],
                         name="assigned accounts", marker_color="#4c78a8"))
    fig.add_trace(go.Bar(x=names, y=[r["at_risk_accounts"] for r in rows],
                         name="of which at risk", marker_color="#e45756"))
    fig.add_trace(go.Scatter(x=names, y=[r["max_accounts"] for r in rows],
                             mode="markers", name="capacity (max accounts)",
                             marker={"symbol": "line-ew-open", "size": 28,
                                     "line": {"width": 3},
                                     "color": "#222"}))
    fig.update_layout(barmode="overlay")
    _layout(fig, "CSM load against capacity", 480)
    over = sum(1 for r in rows if r["is_over_capacity"])
    return Chart("csm_load", "CSM load", fig,
                 f"{over} of {len(rows)} CSMs carry more accounts than their "
                 "capacity.")


def backtest_chart(rows: list[dict], tradeoff: list[dict],
                   horizon: int = 90) -> Chart:
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    rows = [r for r in rows if r["horizon_days"] == horizon
            and r["signal_type"] == "segment"]
    fig = make_subplots(rows=1, cols=2, subplot_titles=(
        f"Risk segments: precision and recall, churn within {horizon} days",
        "Thresholds trade-off (behaviour_churn_risk)"))
    for mode, color in (("in_sample", "#9d9d9d"),
                        ("learned_before", "#e45756")):
        picked = sorted((r for r in rows if r["learning_mode"] == mode),
                        key=lambda r: r["signal_key"])
        for metric, symbol in (("precision", "circle"), ("recall", "diamond")):
            values = [_f(r[f"{metric}_rate"]) for r in picked]
            fig.add_trace(go.Scatter(
                x=[r["signal_key"] for r in picked], y=values,
                mode="markers", name=f"{metric}, {MODE_LABEL[mode]}",
                marker={"symbol": symbol, "size": 11, "color": color},
                error_y={"type": "data", "symmetric": False,
                         "array": [_f(r[f"{metric}_ci_upper"]) - v
                                   for r, v in zip(picked, values)],
                         "arrayminus": [v - _f(r[f"{metric}_ci_lower"])
                                        for r, v in zip(picked, values)]}),
                1, 1)
        # thresholds giving the same flagged set share one labelled point
        points: dict[tuple, list[str]] = {}
        for r in sorted((r for r in tradeoff if r["learning_mode"] == mode
                         and r["horizon_days"] == horizon),
                        key=lambda r: (r["min_flags"], r["min_score"])):
            label = (f"{r['min_flags']}/{_f(r['min_score']):g}"
                     + ("*" if r["is_current_setting"] else ""))
            points.setdefault((_f(r["recall_rate"]), _f(r["precision_rate"])),
                              []).append(label)
        fig.add_trace(go.Scatter(
            x=[xy[0] for xy in points], y=[xy[1] for xy in points],
            mode="markers+text", name=f"thresholds, {MODE_LABEL[mode]}",
            text=[labels[0] + (f" (+{len(labels) - 1})" if len(labels) > 1
                               else "") for labels in points.values()],
            hovertext=[", ".join(labels) for labels in points.values()],
            textposition="middle right", textfont={"size": 10},
            marker={"size": 9, "color": color}), 1, 2)
    fig.update_yaxes(title_text="rate", range=[0, 1], row=1, col=1)
    fig.update_xaxes(title_text="recall", row=1, col=2)
    fig.update_yaxes(title_text="precision", row=1, col=2)
    _layout(fig, "Backtest of the churn signals", 520)
    fig.update_layout(legend={"y": -0.25, "x": 0, "xanchor": "left",
                              "yanchor": "top"})
    table = _backtest_table(rows)
    return Chart("backtest", "Backtest of the churn signals", fig,
                 "Every weekly as-of date at least the horizon before the end "
                 "is judged, pooled. In-sample uses indicators learned from "
                 "the whole history (it sees the future of each date); "
                 "learned-before uses only what was known then. Right: "
                 "min flags / min score (+ n other settings flagging the same "
                 "accounts), * = the current setting.",
                 table)


def _backtest_table(rows: list[dict]) -> str:
    head = ("<tr><th>signal</th><th>learning</th><th>flagged</th>"
            "<th>true positives</th><th>precision</th><th>recall</th>"
            "<th>lift</th><th>accounts per churner found</th>"
            "<th>median lead (days)</th></tr>")
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in (
            r["signal_key"], r["learning_mode"], r["flagged_accounts"],
            r["true_positives"], _pct(r["precision_rate"]),
            _pct(r["recall_rate"]), _num(r["lift"]),
            _num(r["flagged_per_true_positive"]),
            _num(r["median_lead_days"]))) + "</tr>"
        for r in sorted(rows, key=lambda r: (r["signal_key"],
                                             r["learning_mode"])))
    return f"<table class='data'>{head}{body}</table>"


def changes_chart(by_segment: list[dict], changes: list[dict],
                  top: int = 25) -> Chart:
    import plotly.graph_objects as go

    by_segment = sorted(by_segment, key=lambda r: (r["priority"] or 999,
                                                   r["segment_key"]))
    keys = [r["segment_key"] for r in by_segment]
    fig = go.Figure()
    fig.add_trace(go.Bar(x=keys, y=[r["entered_accounts"] for r in by_segment],
                         name="entered (playbook starts)",
                         marker_color="#54a24b"))
    fig.add_trace(go.Bar(x=keys, y=[-r["left_accounts"] for r in by_segment],
                         name="left (playbook stops)", marker_color="#9d9d9d"))
    fig.update_layout(barmode="relative")
    fig.update_yaxes(title_text="accounts")
    week = changes[0]["change_date"] if changes else "-"
    _layout(fig, f"Segment entries and exits in the week to {week}", 420)
    rows = sorted(changes, key=lambda r: (r["priority"] or 999,
                                          r["change_type"],
                                          -_f(r["arr_usd"])))[:top]
    head = ("<tr><th>account</th><th>segment</th><th>change</th>"
            "<th>playbook</th><th>owner</th><th>engagement</th>"
            "<th>ARR (USD)</th></tr>")
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in (
            r["account_name"] or r["account_id"], r["segment_key"],
            f"{r['change_type']} ({r['playbook_action']})", r["playbook"],
            r["owner_team"], r["engagement_model"],
            f"{_f(r['arr_usd']):,.0f}")) + "</tr>"
        for r in rows)
    return Chart("changes", "This week's entries and exits", fig,
                 f"{len(changes)} changes; the {min(top, len(changes))} most "
                 "urgent below (rpt_segment_changes).",
                 f"<table class='data'>{head}{body}</table>")


def _pct(value) -> str:
    return "-" if value is None else f"{100 * float(value):.1f}%"


def _num(value) -> str:
    return "-" if value is None else f"{float(value):,.1f}"


def build_charts(data: dict[str, list[dict]]) -> list[Chart]:
    return [
        pyramid_chart(data["pyramid"]),
        overlap_chart(data["overlap"]),
        flows_chart(data["flows"]),
        sizes_chart(data["sizes"]),
        indicators_chart(data["indicators"]),
        csm_load_chart(data["csm_load"]),
        backtest_chart(data["backtest"], data["tradeoff"]),
        changes_chart(data["changes_by_segment"], data["changes"]),
    ]


CSS = """
body { font-family: system-ui, sans-serif; margin: 24px; color: #222; }
h1 { margin-bottom: 4px; } .sub { color: #666; margin-top: 0; }
section { margin: 28px 0; border-top: 1px solid #eee; padding-top: 8px; }
p.note { color: #444; max-width: 60em; }
table.data { border-collapse: collapse; font-size: 13px; margin-top: 8px; }
table.data td, table.data th { border: 1px solid #ddd; padding: 3px 8px; }
table.data th { background: #f4f4f4; text-align: left; }
"""


def render_html(charts: list[Chart], as_of) -> str:
    """The whole page: plotly.js inlined once, one section per chart."""
    from plotly.offline import get_plotlyjs

    sections = []
    for chart in charts:
        div = chart.figure.to_html(
            full_html=False, include_plotlyjs=False,
            div_id=f"chart-{chart.key}",
            config={"displaylogo": False, "responsive": True})
        sections.append(
            f"<section id='{chart.key}'><h2>{html.escape(chart.title)}</h2>"
            f"<p class='note'>{html.escape(chart.note)}</p>{div}"
            f"{chart.table_html}</section>")
    return ("<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
            "<title>Customer Success segment report</title>"
            f"<style>{CSS}</style>"
            f"<script type='text/javascript'>{get_plotlyjs()}</script>"
            "</head><body><h1>Customer Success segment report</h1>"
            f"<p class='sub'>As of {html.escape(str(as_of))}. Generated by "
            "cs_segments.report from the dbt marts.</p>"
            + "".join(sections) + "</body></html>")


def write_report(db: str | os.PathLike, out: str | os.PathLike) -> Path:
    """Write the report of warehouse `db` to `out`; returns the path."""
    data = load_data(db)
    page = render_html(build_charts(data), data["as_of"][0]["as_of_date"])
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(out.suffix + ".tmp")
    tmp.write_text(page, encoding="utf-8")
    tmp.replace(out)
    return out


def write_report_after_run(db: str | os.PathLike,
                           beside: str | os.PathLike | None = None) -> None:
    """Hook of the main command: the report of warehouse `db`, written next
    to the file `beside` (default: `db`, e.g. the published file); one
    readable line on failure (the build itself succeeded)."""
    out = Path(beside or db).with_name(DEFAULT_OUT_NAME)
    try:
        print(f"\nReport: {write_report(db, out)}")
    except ReportError as exc:
        print(f"\nReport not written: {exc}", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m cs_segments.report",
        description="Write the self-contained HTML segment report.")
    parser.add_argument(
        "--db", default=os.environ.get("CS_DUCKDB_PATH", str(DEFAULT_DB)),
        help="the work database dbt builds, which holds the report's views "
             "(default warehouse/work/cs_segments.duckdb, or env "
             "CS_DUCKDB_PATH)")
    parser.add_argument("--out", default=None,
                        help=f"HTML file (default: {DEFAULT_OUT_NAME} next to "
                             "the published file, env CS_PUBLISHED_PATH or "
                             "warehouse/cs_segments.duckdb)")
    args = parser.parse_args(argv)
    out = args.out or Path(os.environ.get(
        "CS_PUBLISHED_PATH", str(DEFAULT_PUBLISHED))).with_name(
            DEFAULT_OUT_NAME)
    try:
        path = write_report(args.db, out)
    except ReportError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"Report written to {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
