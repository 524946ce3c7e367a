"""cs_segments.last_run: reads marts.rpt_last_run and words it.

The facts themselves are checked against real schedules in
e2e/test_schedule.py (test_last_run_reports_what_it_added); here: the shared
full build reads as a first build, and the wording of each case.
"""

from __future__ import annotations

from datetime import date

from cs_segments.last_run import describe_last_run, last_run

FIRST = {
    "as_of_date": date(2026, 6, 30), "as_of_date_source": "usage_events",
    "is_inferred": True, "future_dated_usage_rows": 0,
    "is_full_refresh": False, "is_incremental": False,
    "is_published_by_this_run": True, "publication_number": 1,
    "published_rows": 1032, "previous_published_as_of_date": None,
    "days_added": None, "segment_entries": 1032, "segment_exits": 0,
    "is_rules_change": False, "is_indicators_change": False,
    "last_week_end_date": date(2026, 6, 28), "is_open_period": True,
}


def test_full_build_reads_as_a_first_build(full_db):
    facts = last_run(full_db)
    assert facts["as_of_date"] == date(2026, 6, 30)
    assert facts["as_of_date_source"] == "usage_events"
    assert facts["is_inferred"] is True
    assert facts["is_incremental"] is False
    assert facts["is_published_by_this_run"] is True
    assert facts["publication_number"] == 1
    # 2026-06-30 is a Tuesday: an open week after Sunday 06-28 (the default
    # week_ends_on)
    assert facts["last_week_end_date"] == date(2026, 6, 28)
    assert facts["is_open_period"] is True
    lines = describe_last_run(facts)
    assert lines[0] == "As-of date: 2026-06-30 (inferred from usage_events)"
    assert lines[1] == ("  open week: the last week end is 2026-06-28; the "
                        "next run replaces this date in the weekly history")
    assert lines[2] == "Run: first build"


def test_wording_of_each_case():
    assert describe_last_run(None) == [
        "Run: no run facts (marts.rpt_last_run missing)"]
    daily = dict(FIRST, is_incremental=True, publication_number=2,
                 previous_published_as_of_date=date(2026, 6, 29),
                 days_added=1, segment_entries=12, segment_exits=9,
                 future_dated_usage_rows=300, is_rules_change=True)
    assert describe_last_run(daily) == [
        "As-of date: 2026-06-30 (inferred from usage_events)",
        "  open week: the last week end is 2026-06-28; the next run "
        "replaces this date in the weekly history",
        "  300 usage events quarantined as future_dated (did not move the "
        "date)",
        "Run: incremental",
        "  published #2: 1,032 account-segment rows; 1 day(s) after the "
        "previous publication (2026-06-29), 12 entries, 9 exits",
        "  segment rules or thresholds changed since the previous "
        "publication (restated history rebuilt)",
    ]
    repeat = dict(daily, is_published_by_this_run=False,
                  future_dated_usage_rows=0, as_of_date_source="var")
    assert describe_last_run(repeat) == [
        "As-of date: 2026-06-30 (set by var as_of_date)",
        "  open week: the last week end is 2026-06-28; the next run "
        "replaces this date in the weekly history",
        "Run: incremental",
        "  nothing new to publish: same segments as publication 2",
    ]
    refresh = dict(FIRST, is_full_refresh=True)
    assert describe_last_run(refresh)[2] == (
        "Run: full refresh (the as-published log was kept)")
    # a run on a week end has no open week; no week end in the history yet
    on_week_end = dict(FIRST, as_of_date=date(2026, 6, 28),
                       is_open_period=False)
    assert describe_last_run(on_week_end)[:2] == [
        "As-of date: 2026-06-28 (inferred from usage_events)",
        "Run: first build"]
    young = dict(FIRST, last_week_end_date=None)
    assert describe_last_run(young)[1] == (
        "  open week: no week end in the history yet")
