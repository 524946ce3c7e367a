"""Row-for-row comparison of one table built by two engines.

Used by e2e/test_spark.py (Spark against DuckDB); unit-tested without any
engine in e2e/test_table_compare.py.

Every value is first normalised, so that the same value read through two
drivers compares equal and nothing else does:

- null -> None; booleans -> bool; text -> the text itself;
- numbers (integers, decimals, floats) -> Decimal rounded half-even to
  NUMERIC_PLACES (6) decimal places, so an integer 3 and a decimal 3.00
  compare equal; NaN and infinities -> the strings 'NaN', 'Infinity',
  '-Infinity';
- dates -> ISO 'YYYY-MM-DD'; timestamps -> ISO strings in UTC (a naive
  timestamp is read as UTC unless the caller says it is local time, which is
  what pyspark returns for Spark's TIMESTAMP type);
- arrays -> tuples of normalised values; maps -> sorted (key, value) pairs.

Rounding rule, why 6 places: the marts' decimals carry at most 6 places
(decimal(28,6) is the widest scale used), so they compare exactly; the
doubles (ratios, lifts, shares, percentiles) differ between engines only by
the order of floating-point additions, about 1e-15 relative, far below 1e-6,
while any real difference (integer division, rounding of a decimal, a date
off by one) moves a value by much more. A value lying exactly on a rounding
boundary may still round to two neighbours on two engines; so rows left
unmatched after the exact multiset comparison get a second pass that pairs
a row of each side whose other values are equal and whose numbers differ by
at most max(1e-6, 1e-9 x |value|) (the relative part for large sums of
doubles, whose last digits move with the order of additions). Only rows
unmatched after both passes are differences.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Context, Decimal

NUMERIC_PLACES = 6
_QUANTUM = Decimal(1).scaleb(-NUMERIC_PLACES)
ABS_TOLERANCE = Decimal("1e-6")
REL_TOLERANCE = Decimal("1e-9")
# enough digits for any value a table holds (decimal(38, s), doubles)
_CONTEXT = Context(prec=400)


def normalise(value, *, naive_is_local: bool = False):
    """The comparable form of one value (see the module docstring)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, Decimal, float)):
        if isinstance(value, float):
            if math.isnan(value):
                return "NaN"
            if math.isinf(value):
                return "Infinity" if value > 0 else "-Infinity"
            value = Decimal(repr(value))
        elif isinstance(value, Decimal) and not value.is_finite():
            return "NaN" if value.is_nan() else (
                "Infinity" if value > 0 else "-Infinity")
        return Decimal(value).quantize(_QUANTUM, rounding=ROUND_HALF_EVEN,
                                       context=_CONTEXT)
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            if naive_is_local:
                # astimezone() on a naive datetime reads it as local time
                value = value.astimezone(dt.timezone.utc)
            else:
                value = value.replace(tzinfo=dt.timezone.utc)
        return value.astimezone(dt.timezone.utc).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.isoformat()
    if isinstance(value, str):
        return value
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).hex()
    if isinstance(value, dict):
        return tuple(sorted(
            (normalise(k, naive_is_local=naive_is_local),
             normalise(v, naive_is_local=naive_is_local))
            for k, v in value.items()))
    if isinstance(value, (list, tuple)):
        return tuple(normalise(v, naive_is_local=naive_is_local)
                     for v in value)
    raise TypeError(f"cannot normalise {type(value).__name__}: {value!r}")


def normalise_row(row, naive_is_local=()) -> tuple:
    """Normalised tuple of one row; `naive_is_local` holds the positions of
    the columns whose naive timestamps are local time."""
    return tuple(normalise(value, naive_is_local=i in naive_is_local)
                 for i, value in enumerate(row))


def _close(a, b) -> bool:
    if isinstance(a, Decimal) and isinstance(b, Decimal):
        return abs(a - b) <= max(ABS_TOLERANCE,
                                 REL_TOLERANCE * max(abs(a), abs(b)))
    return a == b


def _signature(row: tuple) -> tuple:
    """The row with its numbers blanked: rows can only pair within one."""
    return tuple("#" if isinstance(v, Decimal) else v for v in row)


@dataclass
class TableDiff:
    """Outcome of comparing one table: rows only on the left (e.g. DuckDB)
    and only on the right (e.g. Spark), with their multiplicity."""

    name: str
    columns: list[str]
    left_rows: int
    right_rows: int
    only_left: list[tuple] = field(default_factory=list)
    only_right: list[tuple] = field(default_factory=list)
    paired_by_tolerance: int = 0

    @property
    def equal(self) -> bool:
        return not self.only_left and not self.only_right

    def describe(self, left: str, right: str, limit: int = 5) -> str:
        """Message naming the table and its first differing rows."""
        lines = [f"{self.name}: {len(self.only_left)} row(s) only in {left}, "
                 f"{len(self.only_right)} only in {right} "
                 f"({self.left_rows} vs {self.right_rows} rows); "
                 f"columns ({', '.join(self.columns)})"]
        for side, rows in ((left, self.only_left), (right, self.only_right)):
            for row in sorted(rows, key=_sort_key)[:limit]:
                lines.append(f"  only in {side}: {_show(row)}")
        return "\n".join(lines)


def _show(row: tuple) -> str:
    """A normalised row as text: numbers plain, null as null."""
    return "(" + ", ".join(
        "null" if v is None else str(v) if isinstance(v, Decimal) else repr(v)
        for v in row) + ")"


def _sort_key(row: tuple) -> tuple:
    return tuple((v is None, str(v)) for v in row)


def compare_rows(name: str, columns: list[str], left: list[tuple],
                 right: list[tuple]) -> TableDiff:
    """Multiset comparison of two lists of normalised rows."""
    left_count, right_count = Counter(left), Counter(right)
    only_left = list((left_count - right_count).elements())
    only_right = list((right_count - left_count).elements())
    paired = 0
    if only_left and only_right:
        by_signature: dict[tuple, list[tuple]] = defaultdict(list)
        for row in only_right:
            by_signature[_signature(row)].append(row)
        unmatched_left = []
        for row in only_left:
            candidates = by_signature.get(_signature(row), [])
            for index, other in enumerate(candidates):
                if all(_close(a, b) for a, b in zip(row, other)):
                    del candidates[index]
                    paired += 1
                    break
            else:
                unmatched_left.append(row)
        only_left = unmatched_left
        only_right = [row for rows in by_signature.values() for row in rows]
    return TableDiff(name=name, columns=list(columns), left_rows=len(left),
                     right_rows=len(right), only_left=only_left,
                     only_right=only_right, paired_by_tolerance=paired)
