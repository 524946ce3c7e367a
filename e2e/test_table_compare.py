"""Unit checks of the row-for-row comparison used by e2e/test_spark.py
(e2e/table_compare.py): no engine, no dbt."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from table_compare import compare_rows, normalise, normalise_row


def test_numbers_of_any_type_compare_by_value():
    assert normalise(3) == normalise(Decimal("3.00")) == normalise(3.0)
    assert normalise(0.1 + 0.2) == normalise(Decimal("0.3"))
    assert normalise(7 // 2) != normalise(7 / 2)  # integer division shows
    assert normalise(float("nan")) == "NaN"
    assert normalise(True) is True and normalise(1) is not True
    assert normalise(1e300) == normalise(Decimal("1e300"))  # no overflow


def test_dates_and_timestamps_are_iso_utc():
    assert normalise(dt.date(2026, 6, 30)) == "2026-06-30"
    naive = dt.datetime(2026, 6, 30, 12, 0)
    aware = dt.datetime(2026, 6, 30, 14, 0,
                        tzinfo=dt.timezone(dt.timedelta(hours=2)))
    assert normalise(naive) == normalise(aware) == "2026-06-30T12:00:00+00:00"
    # a naive value in local time (pyspark's TIMESTAMP) is shifted to UTC
    local = naive.astimezone(dt.timezone.utc)
    assert normalise(naive, naive_is_local=True) == local.isoformat()
    assert normalise_row((naive, naive), {1})[1] == local.isoformat()


def test_multiset_counts_duplicates_both_ways():
    left = [normalise_row(r) for r in [("a", 1), ("a", 1), ("b", None)]]
    right = [normalise_row(r) for r in [("a", 1.0), ("b", None), ("c", None)]]
    diff = compare_rows("t", ["k", "v"], left, right)
    assert diff.only_left == [("a", Decimal(1))]
    assert diff.only_right == [("c", None)]
    message = diff.describe("DuckDB", "Spark")
    assert message.startswith("t: 1 row(s) only in DuckDB, 1 only in Spark")
    assert "only in Spark: ('c', null)" in message
    assert "only in DuckDB: ('a', 1.000000)" in message


def test_values_on_a_rounding_boundary_pair_within_tolerance():
    left = [normalise_row(("a", 0.12345650000000001))]
    right = [normalise_row(("a", 0.12345649999999999))]
    assert left != right  # rounded to two neighbours
    diff = compare_rows("t", ["k", "v"], left, right)
    assert diff.equal and diff.paired_by_tolerance == 1
    # large sums of doubles: relative tolerance
    diff = compare_rows("t", ["v"], [normalise_row((12345678901.0000004,))],
                        [normalise_row((12345678901.0000019,))])
    assert diff.equal
    # a real difference is not absorbed, nor are other columns ignored
    diff = compare_rows("t", ["k", "v"], [normalise_row(("a", 0.123457))],
                        [normalise_row(("a", 0.123459))])
    assert not diff.equal
    diff = compare_rows("t", ["k", "v"], [normalise_row(("a", 1.0))],
                        [normalise_row(("b", 1.0))])
    assert len(diff.only_left) == len(diff.only_right) == 1
