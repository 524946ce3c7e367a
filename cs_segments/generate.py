"""Deterministic demo-data generator for the cs_segments project.

    python -m cs_segments.generate --accounts N --seed S --out DIR
        [--format parquet|csv] [--as-of YYYY-MM-DD] [--quiet]

Writes one file per raw table (the contract in
models/staging/raw/_raw__sources.yml) to DIR/<table>.<format>, and the planted
truth (which accounts were made to churn, miss their outcomes or be ready to
expand) to DIR/_planted_truth/planted_accounts.<format>, a folder no dbt model
reads.

Everything is a function of (accounts, seed, as_of): the same arguments give
the same rows in the same order. Nothing reads the wall clock.

How it works
------------
* Account-level facts (accounts, subscription histories, users, invoices,
  tickets, NPS answers, goal periods) are simulated with NumPy, vectorised over
  accounts; the only Python loops are over subscription *terms* (a dozen
  iterations at most) and over chunks.
* Usage events, the big table, are produced by DuckDB SQL in chunks of
  accounts: every "actor" (a user, or the account itself for integration_sync
  and api_call) is expanded into days with `unnest(range(...))`, days are kept
  with a hash-based draw `hash(seed, actor, day)`, then expanded into event
  types kept with a second hash draw. Rows are daily aggregates per actor,
  event and day (`quantity` >= 1). Chunks are appended in key order to a
  scratch DuckDB database and written once to a single file.
* Goal targets are set against the usage actually generated, so planted
  "outcome missers" really miss and everyone else mostly achieves.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import shutil
import sys
import tempfile
import time
from pathlib import Path

import duckdb
import numpy as np

from cs_segments.contract import table_keys, table_names

# The raw tables and their keys: the contract in
# models/staging/raw/_raw__sources.yml (cs_segments/contract.py).
TABLES = table_names()
TABLE_KEYS = table_keys()
PLANTED_DIR = "_planted_truth"
PLANTED_TABLE = "planted_accounts"

# Order matches seeds/event_catalog.csv; the index is used in hashes and ids.
EVENT_NAMES = [
    "login", "search", "dashboard_view", "report_created", "report_exported",
    "integration_sync", "comment_added", "file_uploaded", "alert_configured",
    "api_call",
]
(E_LOGIN, E_SEARCH, E_DASH, E_REP_CREATED, E_REP_EXPORTED, E_SYNC, E_COMMENT,
 E_FILE, E_ALERT, E_API) = range(10)

PLANS = ["starter", "team", "business", "enterprise"]
# USD list prices per seat: monthly billing per month, annual billing per year
# (annual is ~17% cheaper than 12 monthly payments).
PRICE_MONTH_USD = np.array([15.0, 30.0, 55.0, 95.0])
PRICE_YEAR_USD = np.array([150.0, 300.0, 540.0, 948.0])
CURRENCIES = ["USD", "EUR", "GBP", "CAD", "AUD"]
USD_PER_UNIT = np.array([1.00, 1.08, 1.27, 0.74, 0.66])  # seeds/currency_rates.csv

COUNTRIES = ["US", "CA", "GB", "IE", "DE", "FR", "NL", "ES", "IT", "SE",
             "AU", "NZ", "SG", "JP", "BR", "IN"]
COUNTRY_WEIGHTS = np.array([38, 6, 12, 2, 8, 6, 4, 3, 3, 2, 6, 1, 2, 2, 2, 3],
                           dtype=float)
COUNTRY_CURRENCY = np.array([0, 3, 2, 1, 1, 1, 1, 1, 1, 1, 4, 0, 0, 0, 0, 0])

INDUSTRIES = ["Software", "Financial Services", "Healthcare", "Retail",
              "Manufacturing", "Education", "Media", "Logistics",
              "Professional Services", "Non-profit", "Real Estate",
              "Energy"]
NAME_ADJ = ["Blue", "Bright", "North", "Silver", "Rapid", "Clear", "Green",
            "Summit", "Iron", "Golden", "Urban", "Pacific", "Atlas", "Nova",
            "Cedar", "Harbor", "Crimson", "Quiet", "Swift", "Prime", "Lunar",
            "Coastal", "Alpine", "Bold", "True", "Open", "Red", "Stone",
            "Maple", "Vertex", "Polar", "Sunny", "Granite", "Echo", "Wild",
            "Orbit"]
NAME_NOUN = ["Peak", "River", "Forge", "Leaf", "Wave", "Bridge", "Field",
             "Spark", "Path", "Point", "Grove", "Works", "Stack", "Lane",
             "Harvest", "Beacon", "Signal", "Anchor", "Pine", "Circle",
             "Falcon", "Canyon", "Meadow", "Vista", "Tower", "Loop", "Bay",
             "Ridge", "Hive", "Sail", "Cloud", "Mill", "Rock", "Gate", "Wing",
             "Fox"]
NAME_SUFFIX = ["Labs", "Inc", "Group", "Systems", "Co", "Partners",
               "Analytics", "Health", "Logistics", "Retail", "Studio",
               "Capital", "Foods", "Energy"]
FIRST_NAMES = ["Ava", "Ben", "Chloe", "Daniel", "Elena", "Felix", "Grace",
               "Hugo", "Isla", "Jonas", "Kira", "Liam", "Maya", "Noah",
               "Olivia", "Priya", "Quinn", "Rafael", "Sofia", "Tom", "Uma",
               "Victor", "Wendy", "Yusuf", "Zoe"]
LAST_NAMES = ["Anders", "Baker", "Costa", "Dubois", "Evans", "Fischer",
              "Garcia", "Hughes", "Ito", "Jensen", "Kowalski", "Larsen",
              "Moreau", "Nakamura", "Okafor", "Patel", "Quist", "Rossi",
              "Schmidt", "Tanaka", "Urban", "Varga", "Walsh", "Young"]
CANCEL_REASONS = ["too expensive", "missing features", "switched to a competitor",
                  "low adoption", "budget cuts", "company closed",
                  "poor support experience", "merged with another company"]
CANCEL_WEIGHTS = np.array([22, 14, 18, 20, 12, 4, 6, 4], dtype=float)
ROLES = ["admin", "member", "viewer"]
PRIORITIES = ["low", "normal", "high", "urgent"]
ROLE_NAMES = ["none", "churner", "future_churner", "outcome_misser", "expander"]
R_NONE, R_CHURNER, R_FUTURE, R_MISSER, R_EXPANDER = range(5)

# Goal metrics: (metric, event index or -1, selection weight)
GOAL_METRICS = [
    ("active_users", -1, 0.15),
    ("seat_utilisation", -1, 0.13),
    ("event:report_exported", E_REP_EXPORTED, 0.20),
    ("event:report_created", E_REP_CREATED, 0.14),
    ("event:dashboard_view", E_DASH, 0.12),
    ("event:search", E_SEARCH, 0.08),
    ("event:integration_sync", E_SYNC, 0.10),
    ("event:file_uploaded", E_FILE, 0.08),
]

P_USER_BASE = 0.10           # median weekday probability that a user is active
HISTORY_DAYS = 1095          # ~3 years of history up to and including as_of
CHUNK_ACCOUNTS = 5000        # accounts per usage-events chunk
DAY = 86400
EPOCH = _dt.date(1970, 1, 1)


# --------------------------------------------------------------------------
# small helpers
# --------------------------------------------------------------------------
def _epoch_day(value: str | _dt.date) -> int:
    if isinstance(value, str):
        value = _dt.date.fromisoformat(value)
    return (value - EPOCH).days


def _add_months(days: np.ndarray, months: np.ndarray | int) -> np.ndarray:
    """Epoch days + whole months, clamping the day of month (Jan 31 + 1 = Feb 28)."""
    d = np.asarray(days, dtype=np.int64).astype("datetime64[D]")
    m = d.astype("datetime64[M]")
    dom = (d - m.astype("datetime64[D]")).astype(np.int64)
    m2 = m + np.asarray(months, dtype=np.int64)
    first = m2.astype("datetime64[D]")
    length = ((m2 + 1).astype("datetime64[D]") - first).astype(np.int64)
    return (first + np.minimum(dom, length - 1)).astype(np.int64)


def _sql_list(values: list[str]) -> str:
    return "[" + ", ".join("'" + v.replace("'", "''") + "'" for v in values) + "]"


def _width(max_value: int, minimum: int) -> int:
    return max(minimum, len(str(int(max(max_value, 1)))))


def _offsets(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For np.repeat(owner, counts): the owner index and the 0-based rank within owner."""
    counts = np.asarray(counts, dtype=np.int64)
    owner = np.repeat(np.arange(len(counts)), counts)
    starts = np.cumsum(counts) - counts
    rank = np.arange(int(counts.sum()), dtype=np.int64) - np.repeat(starts, counts)
    return owner, rank


class _Progress:
    """Minimal stderr progress bar: steps done / total."""

    def __init__(self, total: int, enabled: bool) -> None:
        self.total, self.done, self.enabled = total, 0, enabled
        self.t0 = time.perf_counter()

    def step(self, label: str) -> None:
        self.done += 1
        if not self.enabled:
            return
        width = 30
        filled = int(width * self.done / self.total)
        bar = "#" * filled + "-" * (width - filled)
        elapsed = time.perf_counter() - self.t0
        sys.stderr.write(f"\r[{bar}] {self.done}/{self.total} {label:<28.28} {elapsed:6.1f}s")
        if self.done >= self.total:
            sys.stderr.write("\n")
        sys.stderr.flush()


# --------------------------------------------------------------------------
# 1. accounts and subscription histories (NumPy)
# --------------------------------------------------------------------------
def _simulate_accounts(rng: np.random.Generator, n: int, as_of: int) -> dict:
    h0 = as_of - HISTORY_DAYS + 1
    a: dict = {"n": n, "as_of": as_of, "h0": h0}
    # Creation skews towards recent years (the business grows).
    a["created_day"] = h0 + np.floor((HISTORY_DAYS - 15) * rng.random(n) ** 0.75).astype(np.int64)
    a["created_sec"] = rng.integers(8 * 3600, 18 * 3600, n)
    emp = np.clip(np.round(np.exp(rng.normal(np.log(45.0), 1.1, n))), 3, 50000).astype(np.int64)
    a["employees"] = emp
    score = np.log10(emp) + rng.normal(0.0, 0.3, n)
    tier = np.digitize(score, [1.45, 2.0, 2.7]).astype(np.int64)
    a["tier0"] = tier
    a["seats0"] = np.clip(np.round(3 + emp ** 0.6 * rng.uniform(0.3, 0.85, n)), 3, 300).astype(np.int64)
    a["annual0"] = rng.random(n) < np.array([0.25, 0.40, 0.60, 0.85])[tier]
    country = rng.choice(len(COUNTRIES), n, p=COUNTRY_WEIGHTS / COUNTRY_WEIGHTS.sum())
    a["country"] = country
    a["currency"] = COUNTRY_CURRENCY[country]
    has_disc = rng.random(n) < np.where(tier >= 2, 0.45, 0.25)
    a["discount"] = np.where(has_disc, rng.integers(1, 7, n) * 0.05, 0.0)
    a["engagement"] = np.exp(rng.normal(0.0, 0.4, n))
    a["industry"] = rng.integers(0, len(INDUSTRIES), n)
    a["name_adj"] = rng.integers(0, len(NAME_ADJ), n)
    a["name_noun"] = rng.integers(0, len(NAME_NOUN), n)
    a["name_suffix"] = rng.integers(0, len(NAME_SUFFIX), n)
    never_pay = rng.random(n) < 0.03
    trial = rng.random(n) < 0.35
    a["trial_len"] = rng.integers(14, 31, n)
    first_start = a["created_day"] + np.where(trial, rng.integers(14, 36, n), 0)
    a["never_pay"] = never_pay
    a["has_sub"] = (~never_pay) & (first_start <= as_of)
    a["first_start"] = np.where(a["has_sub"], first_start, -1)
    return a


def _simulate_subscriptions(rng: np.random.Generator, a: dict) -> dict:
    n, as_of = a["n"], a["as_of"]
    tier0, eng = a["tier0"], a["engagement"]
    churn_mult = np.array([1.5, 1.1, 0.8, 0.5])[tier0] * np.clip(eng, 0.4, 2.5) ** -0.8
    h_month = np.clip(0.011 * churn_mult, 0.002, 0.08)     # monthly churn hazard
    q_annual = np.clip(0.11 * churn_mult, 0.01, 0.6)       # churn at annual renewal
    H_CHANGE, P_MIDTERM, P_REACT = 0.035, 0.12, 0.13
    CHURN, CHANGE, RENEW = 0, 1, 2

    s = a["first_start"].copy()
    tier = tier0.copy()
    seats = a["seats0"].copy()
    annual = a["annual0"].copy()
    anchor = a["first_start"].copy()          # min tenure of 90 days before a churn
    alive = a["has_sub"].copy()
    churn1 = np.full(n, -1, np.int64)
    churn2 = np.full(n, -1, np.int64)
    react = np.full(n, -1, np.int64)
    nchurn = np.zeros(n, np.int64)
    rows: list[dict] = []

    while alive.any():
        i = np.flatnonzero(alive)
        m = len(i)
        si, ann = s[i], annual[i]
        # monthly: open-ended until a churn (at a billing anniversary) or a change
        months_to_churn = rng.geometric(h_month[i])
        need = np.ceil((anchor[i] + 90 - si) / 28.0).clip(1, None).astype(np.int64)
        churn_m = _add_months(si, np.maximum(months_to_churn, need))
        mid_month = np.where(rng.random(m) < 0.4, rng.integers(1, 28, m), 0)
        change_m = _add_months(si, rng.geometric(H_CHANGE, m)) + mid_month
        # annual: a mid-term change, or at term end churn / renew
        term_end = _add_months(si, 12)
        midterm = rng.random(m) < P_MIDTERM
        midterm_day = si + rng.integers(30, 331, m)
        churn_a = rng.random(m) < q_annual[i]
        m_churns = churn_m <= change_m
        ev_type = np.where(ann, np.where(midterm, CHANGE, np.where(churn_a, CHURN, RENEW)),
                           np.where(m_churns, CHURN, CHANGE))
        ev_day = np.where(ann, np.where(midterm, midterm_day, term_end),
                          np.where(m_churns, churn_m, change_m))
        is_open = ev_day > as_of
        is_churn = (ev_type == CHURN) & ~is_open
        cancel_day = np.maximum(si, ev_day - np.where(ann, rng.integers(10, 61, m), rng.integers(1, 29, m)))
        cancel_sec = rng.integers(7 * 3600, 20 * 3600, m)
        reason = rng.choice(len(CANCEL_REASONS), m, p=CANCEL_WEIGHTS / CANCEL_WEIGHTS.sum())
        rows.append({
            "acct": i, "start": si, "end": np.where(is_open, -1, ev_day),
            "tier": tier[i].copy(), "seats": seats[i].copy(), "annual": ann.copy(),
            "cancel_day": np.where(is_churn, cancel_day, -1),
            "cancel_sec": cancel_sec, "reason": np.where(is_churn, reason, -1),
        })

        # next state --------------------------------------------------------
        alive[i[is_open]] = False
        # churn, maybe a reactivation 2-8 months later (first churn only)
        ci, cday = i[is_churn], ev_day[is_churn]
        first = nchurn[ci] == 0
        churn1[ci[first]] = cday[first]
        churn2[ci[~first]] = cday[~first]
        nchurn[ci] += 1
        restart = cday + rng.integers(60, 241, len(ci))
        do_react = first & (rng.random(len(ci)) < P_REACT) & (restart <= as_of)
        alive[ci[~do_react]] = False
        rj = ci[do_react]
        s[rj] = restart[do_react]
        react[rj] = restart[do_react]
        anchor[rj] = restart[do_react]
        seats[rj] = np.maximum(3, np.round(seats[rj] * rng.uniform(0.6, 1.0, len(rj)))).astype(np.int64)
        annual[rj] = rng.random(len(rj)) < 0.2
        # change (upgrade / downgrade, maybe mid-month) or renewal
        cont = ~is_open & ~is_churn
        ki, kt = i[cont], ev_type[cont]
        k = len(ki)
        s[ki] = ev_day[cont]
        up = rng.random(k) < 0.65
        plan_move = rng.random(k)
        grow = np.ceil(seats[ki] * rng.uniform(1.1, 1.5, k))
        shrink = np.floor(seats[ki] * rng.uniform(0.65, 0.92, k))
        ren = rng.random(k)
        ren_seats = np.where(ren < 0.40, np.ceil(seats[ki] * rng.uniform(1.05, 1.3, k)),
                             np.where(ren < 0.55, np.floor(seats[ki] * rng.uniform(0.8, 0.95, k)),
                                      seats[ki]))
        is_change = kt == CHANGE
        tier_up = is_change & up & (plan_move < 0.3) & (tier[ki] < 3)
        tier_down = is_change & ~up & (plan_move < 0.2) & (tier[ki] > 0)
        new_seats = np.where(is_change & ~tier_up & ~tier_down, np.where(up, grow, shrink),
                             np.where(is_change, seats[ki], ren_seats))
        tier[ki] = tier[ki] + tier_up - tier_down
        seats[ki] = np.clip(new_seats, 3, 400).astype(np.int64)
        switch = rng.random(k)
        annual[ki] = np.where(is_change & ~annual[ki] & (switch < 0.10), True,
                              np.where(~is_change & annual[ki] & (switch < 0.05), False, annual[ki]))

    if rows:
        sub = {key: np.concatenate([r[key] for r in rows]) for key in rows[0]}
    else:
        sub = {key: np.zeros(0, np.int64) for key in
               ["acct", "start", "end", "tier", "seats", "annual", "cancel_day", "cancel_sec", "reason"]}
    order = np.lexsort((sub["start"], sub["acct"]))
    sub = {key: v[order] for key, v in sub.items()}
    acct_of = sub["acct"]
    price = np.where(sub["annual"], PRICE_YEAR_USD[sub["tier"]], PRICE_MONTH_USD[sub["tier"]])
    sub["currency"] = a["currency"][acct_of]
    sub["amount"] = np.round(sub["seats"] * price * (1.0 - a["discount"][acct_of])
                             / USD_PER_UNIT[sub["currency"]], 2)

    # per-account outcome of the history
    nrows = np.bincount(acct_of, minlength=n)
    last = np.cumsum(nrows) - 1
    has = nrows > 0
    last_end = np.full(n, -1, np.int64)
    last_seats = np.zeros(n, np.int64)
    last_end[has] = sub["end"][last[has]]
    last_seats[has] = sub["seats"][last[has]]
    a["active_now"] = has & (last_end < 0)
    a["final_churned"] = has & (last_end >= 0)
    a["last_end"] = last_end
    a["last_seats"] = last_seats
    a["churn1"], a["churn2"], a["react"], a["nchurn"] = churn1, churn2, react, nchurn
    return sub


# --------------------------------------------------------------------------
# 2. planted roles, coverage and usage parameters
# --------------------------------------------------------------------------
def _plant_roles(rng: np.random.Generator, a: dict) -> None:
    n, as_of = a["n"], a["as_of"]
    role = np.full(n, R_NONE, np.int64)
    role[a["final_churned"]] = R_CHURNER
    active = a["active_now"]
    cand = np.flatnonzero(active & (a["nchurn"] == 0) & (as_of - a["first_start"] >= 180))
    n_active = int(active.sum())
    n_future = int(round(0.02 * n_active))
    n_miss = int(round(0.05 * n_active))
    n_exp = int(round(0.05 * n_active))
    perm = rng.permutation(cand)
    role[perm[:n_future]] = R_FUTURE
    role[perm[n_future:n_future + n_miss]] = R_MISSER
    role[perm[n_future + n_miss:n_future + n_miss + n_exp]] = R_EXPANDER
    a["role"] = role

    healthy = (role == R_MISSER) | (role == R_EXPANDER)
    a["engagement"] = np.where(healthy, np.maximum(a["engagement"], rng.uniform(1.2, 1.6, n)),
                               a["engagement"])
    slope = rng.normal(0.08, 0.12, n)
    a["slope"] = np.where(healthy, np.maximum(slope, 0.1), slope)
    a["ramp"] = np.where(role == R_EXPANDER, rng.uniform(0.5, 0.9, n), 0.0)

    # usage coverage: [cov_start, cov_end) minus the gap [gap_start, gap_end)
    created = a["created_day"]
    cov_end = np.where(a["final_churned"], a["last_end"], as_of + 1)
    trial_only = ~a["has_sub"] & a["never_pay"]
    cov_end = np.where(trial_only, np.minimum(created + a["trial_len"], as_of + 1), cov_end)
    a["cov_end"] = cov_end
    a["last_day"] = cov_end - 1
    reacted = a["react"] >= 0
    a["gap_start"] = np.where(reacted, a["churn1"], 0)
    a["gap_end"] = np.where(reacted, a["react"], 0)

    # planted usage drops: search to zero, other key features -70%
    l1 = rng.integers(30, 91, n)
    l2 = rng.integers(30, 91, n)
    lf = rng.integers(30, 76, n)
    ds1 = np.where(a["churn1"] >= 0, a["churn1"] - l1, 0)
    de1 = np.where(a["churn1"] >= 0, a["churn1"], 0)
    ds1 = np.where(role == R_FUTURE, as_of + 1 - lf, ds1)
    de1 = np.where(role == R_FUTURE, as_of + 1, de1)
    a["ds1"], a["de1"] = ds1, de1
    a["ds2"] = np.where(a["churn2"] >= 0, a["churn2"] - l2, 0)
    a["de2"] = np.where(a["churn2"] >= 0, a["churn2"], 0)

    # feature adoption bitmask (bit = event index)
    tier = a["tier0"]
    adopt_p = np.zeros((n, 10))
    adopt_p[:, E_LOGIN] = 1.0
    adopt_p[:, E_SEARCH] = 1.0
    adopt_p[:, E_DASH] = 0.92
    adopt_p[:, E_REP_CREATED] = 0.80
    adopt_p[:, E_REP_EXPORTED] = 0.72
    adopt_p[:, E_SYNC] = np.array([0.35, 0.55, 0.75, 0.9])[tier]
    adopt_p[:, E_COMMENT] = 0.60
    adopt_p[:, E_FILE] = 0.50
    adopt_p[:, E_ALERT] = 0.35
    adopt_p[:, E_API] = np.array([0.08, 0.18, 0.35, 0.6])[tier]
    adopted = rng.random((n, 10)) < adopt_p
    adopted[healthy, :9] = True          # broad feature use (api optional)
    a["adopted"] = adopted
    a["amask"] = (adopted * (1 << np.arange(10))).sum(axis=1).astype(np.int64)
    a["sync_max"] = rng.integers(2, 25, n)
    a["api_mean"] = np.exp(rng.normal(np.log(40.0), 0.8, n))


def _simulate_users(rng: np.random.Generator, a: dict) -> dict:
    n, as_of = a["n"], a["as_of"]
    role = a["role"]
    created, csec, last_day = a["created_day"], a["created_sec"], a["last_day"]
    seats = np.where(a["has_sub"], a["last_seats"], rng.integers(1, 4, n))
    frac = rng.uniform(0.45, 0.88, n)
    n_cur = np.maximum(1, np.floor(seats * frac)).astype(np.int64)
    n_cur = np.where(role == R_MISSER, np.maximum(2, np.floor(seats * rng.uniform(0.76, 0.88, n))), n_cur)
    # expanders: users up to the seat count (>= 92% of seats), nearly all active
    n_exp = np.maximum(np.ceil(0.92 * seats), seats - rng.integers(0, 3, n))
    n_cur = np.where(role == R_EXPANDER, n_exp, n_cur).astype(np.int64)
    tenure_years = (last_day - created) / 365.0
    n_former = np.where(tenure_years > 120 / 365.0,
                        rng.poisson(0.22 * n_cur * np.maximum(tenure_years, 0)), 0)
    n_former = np.minimum(n_former, n_cur).astype(np.int64)

    reacted = a["react"] >= 0
    gs, ge = a["gap_start"], a["gap_end"]

    # current users ------------------------------------------------------
    ca, ck = _offsets(n_cur)
    lo = created[ca]
    planted_recent = (role[ca] == R_EXPANDER) | (role[ca] == R_MISSER)
    hi = np.maximum(lo, np.where(planted_recent, np.minimum(last_day[ca], as_of - 25), last_day[ca] - 7))
    m = len(ca)
    onboarding = rng.random(m) < 0.55
    cday = np.where(onboarding, lo + rng.integers(0, 31, m),
                    lo + np.floor(rng.random(m) * (hi - lo + 1)).astype(np.int64))
    recent = (role[ca] == R_EXPANDER) & (rng.random(m) < 0.35)
    cday = np.where(recent, as_of - rng.integers(25, 151, m), cday)
    cday = np.clip(cday, lo, hi)
    cday = np.where(ck == 0, lo, cday)
    cday = np.where(reacted[ca] & (cday >= gs[ca]) & (cday < ge[ca]), ge[ca], cday)
    cday = np.minimum(cday, last_day[ca])
    c_sec = rng.integers(8 * 3600, 18 * 3600, m)
    owner = ck == 0
    c_sec = np.where(owner, csec[ca] + rng.integers(30, 900, m), c_sec)
    c_sec = np.where(~owner & (cday == lo), np.maximum(c_sec, csec[ca] + 1200), c_sec)
    cur = {"acct": ca, "cday": cday, "csec": c_sec, "dday": np.full(m, -1, np.int64),
           "dsec": np.zeros(m, np.int64), "owner": owner, "current": np.ones(m, bool)}

    # former (deactivated) users -------------------------------------------
    fa, _ = _offsets(n_former)
    f = len(fa)
    flo = created[fa] + 1
    fhi = last_day[fa] - 105
    fday = flo + np.floor(rng.random(f) * np.maximum(fhi - flo + 1, 1)).astype(np.int64)
    fday = np.where(reacted[fa] & (fday >= gs[fa]) & (fday < ge[fa]), ge[fa], fday)
    dday = fday + rng.integers(45, 421, f)
    limit = np.where(a["final_churned"][fa], last_day[fa], last_day[fa] - 45)
    valid = (fhi >= flo) & (dday <= limit) & ~(reacted[fa] & (dday >= gs[fa]) & (dday < ge[fa]))
    former = {"acct": fa[valid], "cday": fday[valid],
              "csec": rng.integers(8 * 3600, 18 * 3600, f)[valid],
              "dday": dday[valid], "dsec": rng.integers(8 * 3600, 19 * 3600, f)[valid],
              "owner": np.zeros(int(valid.sum()), bool), "current": np.zeros(int(valid.sum()), bool)}

    u = {k: np.concatenate([cur[k], former[k]]) for k in cur}
    order = np.lexsort((u["csec"], ~u["owner"], u["cday"], u["acct"]))
    u = {k: v[order] for k, v in u.items()}
    cnt = np.bincount(u["acct"], minlength=n)
    _, rank = _offsets(cnt)
    u["ul"] = rank + 1
    u["gu"] = np.arange(1, len(u["acct"]) + 1, dtype=np.int64)
    nu = len(u["acct"])
    roles = rng.choice(3, nu, p=[0.12, 0.63, 0.25])
    u["role"] = np.where(u["owner"], 0, roles)
    eng = a["engagement"][u["acct"]]
    p = P_USER_BASE * eng * np.exp(rng.normal(0.0, 0.55, nu)) * np.array([1.2, 1.0, 0.6])[u["role"]]
    p = np.clip(p, 0.02, 0.8)
    ur = role[u["acct"]]
    p = np.where(u["current"] & (ur == R_EXPANDER), np.maximum(p, rng.uniform(0.45, 0.75, nu)), p)
    p = np.where(u["current"] & (ur == R_MISSER), np.maximum(p, rng.uniform(0.40, 0.65, nu)), p)
    u["p"] = p
    a["n_users"] = cnt
    a["user_base"] = np.cumsum(cnt) - cnt      # index of the account's first user
    return u


# --------------------------------------------------------------------------
# 3. invoices, tickets, NPS, goal periods (NumPy)
# --------------------------------------------------------------------------
def _simulate_invoices(rng: np.random.Generator, a: dict, sub: dict) -> dict:
    as_of = a["as_of"]
    nsub = len(sub["acct"])
    last_cov = np.where(sub["end"] < 0, as_of, sub["end"] - 1)
    step = np.where(sub["annual"], 12, 1)
    sd = sub["start"].astype("datetime64[D]")
    ld = last_cov.astype("datetime64[D]")
    month_gap = (ld.astype("datetime64[M]") - sd.astype("datetime64[M]")).astype(np.int64)
    kmax = month_gap // step + 1
    owner, k = _offsets(kmax)
    issued = _add_months(sub["start"][owner], k * step[owner])
    keep = issued <= last_cov[owner]
    owner, issued = owner[keep], issued[keep]
    m = len(owner)
    acct = sub["acct"][owner]
    annual = sub["annual"][owner]
    due = issued + np.where(annual, 30, 14)
    # invoices in the 90 days before a churn (or a planted future churn) go bad more often
    near = np.zeros(m, bool)
    for c in (a["churn1"], a["churn2"]):
        cd = c[acct]
        near |= (cd >= 0) & (issued >= cd - 90) & (issued < cd)
    near |= (a["role"][acct] == R_FUTURE) & (issued >= as_of - 90)
    r = rng.random(m)
    status = np.where(near,
                      np.select([r < 0.18, r < 0.28, r < 0.33], [1, 3, 2], 0),
                      np.select([r < 0.012, r < 0.016, r < 0.026], [1, 3, 2], 0))
    # 0 paid, 1 open (unpaid), 2 void, 3 uncollectible
    late = rng.random(m) < np.where(near, 0.35, 0.10)
    lag = np.where(late, (due - issued) + rng.integers(1, 46, m),
                   np.floor(rng.random(m) * (due - issued + 1)).astype(np.int64))
    lag = np.where(~annual & ~late & (rng.random(m) < 0.7), rng.integers(0, 3, m), lag)
    paid_day = issued + lag
    paid_sec = rng.integers(6 * 3600, 22 * 3600, m)
    status = np.where((status == 0) & (paid_day > as_of), 1, status)
    return {"acct": acct, "sub_idx": owner, "issued": issued, "due": due,
            "amount": sub["amount"][owner], "currency": sub["currency"][owner],
            "status": status, "paid_day": np.where(status == 0, paid_day, -1),
            "paid_sec": paid_sec}


def _churn_window(a: dict, acct: np.ndarray, day: np.ndarray, before: int) -> np.ndarray:
    """True where `day` falls within `before` days ahead of a churn (or planted future churn)."""
    out = np.zeros(len(acct), bool)
    for c in (a["churn1"], a["churn2"]):
        cd = c[acct]
        out |= (cd >= 0) & (day >= cd - before) & (day < cd)
    out |= (a["role"][acct] == R_FUTURE) & (day >= a["as_of"] - before)
    return out


def _shift_out_of_gap(a: dict, acct: np.ndarray, day: np.ndarray) -> np.ndarray:
    gs, ge = a["gap_start"][acct], a["gap_end"][acct]
    return np.where((ge > gs) & (day >= gs) & (day < ge), ge, day)


def _simulate_tickets(rng: np.random.Generator, a: dict) -> dict:
    n, as_of = a["n"], a["as_of"]
    created, last_day = a["created_day"], a["last_day"]
    span = np.maximum(last_day - created, 0)
    lam = span / 30.4 * 0.22 * (np.maximum(a["n_users"], 1) / 8.0) ** 0.4
    base_n = rng.poisson(lam)
    has_churn = (a["churn1"] >= 0) | (a["churn2"] >= 0) | (a["role"] == R_FUTURE)
    extra_n = np.where(has_churn, rng.poisson(3.0, n), 0)
    ba, _ = _offsets(base_n)
    bday = created[ba] + 1 + np.floor(rng.random(len(ba)) * np.maximum(span[ba], 1)).astype(np.int64)
    ea, _ = _offsets(extra_n)
    anchor = np.where(a["role"][ea] == R_FUTURE, as_of + 1,
                      np.where(a["churn2"][ea] >= 0, a["churn2"][ea], a["churn1"][ea]))
    eday = anchor - rng.integers(1, 121, len(ea))
    acct = np.concatenate([ba, ea])
    day = np.concatenate([bday, eday])
    day = np.clip(day, created[acct] + 1, last_day[acct])
    day = _shift_out_of_gap(a, acct, day)
    keep = (day <= last_day[acct]) & (day > created[acct])
    acct, day = acct[keep], day[keep]
    m = len(acct)
    sec = rng.integers(0, DAY, m)
    hot = _churn_window(a, acct, day, 120)
    r = rng.random(m)
    prio = np.where(hot, np.digitize(r, [0.10, 0.45, 0.80]), np.digitize(r, [0.25, 0.75, 0.93]))
    median_h = np.array([48.0, 24.0, 10.0, 4.0])[prio]
    dur = np.ceil(median_h * 3600 * np.exp(rng.normal(0.0, 0.9, m))).astype(np.int64) + 600
    opened_ts = day * DAY + sec
    closed_ts = opened_ts + dur
    closed_ts = np.where(closed_ts >= (as_of + 1) * DAY, -1, closed_ts)
    rated = (closed_ts >= 0) & (rng.random(m) < 0.55)
    cs = np.where(hot, np.digitize(rng.random(m), [0.15, 0.35, 0.65, 0.90]),
                  np.digitize(rng.random(m), [0.03, 0.08, 0.20, 0.55])) + 1
    order = np.lexsort((opened_ts, acct))
    return {"acct": acct[order], "opened_ts": opened_ts[order], "closed_ts": closed_ts[order],
            "prio": prio[order], "csat": np.where(rated, cs, -1)[order]}


def _simulate_nps(rng: np.random.Generator, a: dict, u: dict) -> dict:
    created, last_day = a["created_day"], a["last_day"]
    span = np.maximum(last_day - (created + 30), 0)
    k = rng.poisson(span / 365.0 * 1.6)
    acct, _ = _offsets(k)
    m = len(acct)
    day = created[acct] + 30 + np.floor(rng.random(m) * np.maximum(span[acct], 1)).astype(np.int64)
    day = np.minimum(_shift_out_of_gap(a, acct, day), last_day[acct])
    # respondent: a random user of the account if they existed then, else the owner
    pick = np.floor(rng.random(m) * a["n_users"][acct]).astype(np.int64)
    ui = a["user_base"][acct] + pick
    ok = (u["cday"][ui] < day) & ((u["dday"][ui] < 0) | (u["dday"][ui] > day))
    ui = np.where(ok, ui, a["user_base"][acct])
    sec = rng.integers(7 * 3600, 21 * 3600, m)
    role = a["role"][acct]
    mu = 7.6 + 0.8 * np.clip(a["engagement"][acct] - 1.0, -0.6, 0.8)
    mu = np.where(role == R_EXPANDER, 8.6, mu)
    mu = np.where(role == R_MISSER, 6.8, mu)
    mu = np.where(_churn_window(a, acct, day, 180), 4.3, mu)
    score = np.clip(np.round(mu + rng.normal(0.0, 1.8, m)), 0, 10).astype(np.int64)
    ts = day * 86400 + sec
    order = np.lexsort((ts, acct))
    return {"acct": acct[order], "gu": u["gu"][ui][order], "ts": ts[order], "score": score[order]}


def _plan_goals(rng: np.random.Generator, a: dict) -> dict:
    n, as_of = a["n"], a["as_of"]
    role = a["role"]
    lo = a["first_start"] + 14
    hi = np.minimum(a["last_day"], as_of) - np.where(role == R_MISSER, 75, 30)
    eligible = a["has_sub"] & (hi >= lo)
    has_goals = eligible & ((rng.random(n) < 0.75) | (role == R_MISSER))
    k = np.where(has_goals, rng.choice([1, 2, 3], n, p=[0.45, 0.35, 0.20]), 0)
    k = np.where(role == R_MISSER, np.maximum(k, 2), k)
    # choose k distinct metrics per account (weighted, adopted features only)
    weights = np.array([w for _, _, w in GOAL_METRICS])
    ev_idx = np.array([e for _, e, _ in GOAL_METRICS])
    avail = np.ones((n, len(GOAL_METRICS)), bool)
    for j, e in enumerate(ev_idx):
        if e >= 0:
            avail[:, j] = a["adopted"][:, e]
    avail[role == R_MISSER, :2] = False          # missers: event-count goals
    key = np.log(rng.random((n, len(GOAL_METRICS)))) / weights
    key = np.where(avail, key, -np.inf)
    key[role == R_MISSER, 2] = np.inf            # ...always incl. report_exported
    ranked = np.argsort(-key, axis=1, kind="stable")
    k = np.minimum(k, avail.sum(axis=1))
    ga, gk = _offsets(k)
    metric = ranked[ga, gk]
    m = len(ga)
    dur = rng.choice([90, 180, 365], m, p=[0.35, 0.40, 0.25])
    start = lo[ga] + np.floor(rng.random(m) * (hi[ga] - lo[ga] + 1)).astype(np.int64)
    on_as_of = rng.random(m) < 0.05
    alt_start = as_of - dur + 1
    start = np.where(on_as_of & (alt_start >= lo[ga]) & (alt_start <= hi[ga]), alt_start, start)
    due = start + dur - 1
    r = rng.random(m)
    factor = np.where(r < 0.72, rng.uniform(0.5, 0.95, m), rng.uniform(1.05, 1.5, m))
    factor = np.where(role[ga] == R_MISSER, rng.uniform(4.0, 6.0, m), factor)
    return {"gid": np.arange(1, m + 1, dtype=np.int64), "acct": ga, "metric": metric,
            "ev": ev_idx[metric], "start": start, "due": due, "factor": factor}


# --------------------------------------------------------------------------
# 4. usage events (DuckDB, chunked)
# --------------------------------------------------------------------------
def _actors(a: dict, u: dict) -> dict:
    """One row per actor: each user, plus the account itself (ul = 0)."""
    n = a["n"]
    acct_idx = np.arange(n)
    # account actor: integrations and API start with the first paid subscription
    acc_d0 = np.where(a["has_sub"], np.maximum(a["first_start"], a["created_day"]), a["created_day"] + 3)
    ua = u["acct"]
    user_d1 = np.where(u["dday"] >= 0, np.minimum(u["dday"], a["cov_end"][ua]), a["cov_end"][ua])
    cols = {
        "acct": np.concatenate([acct_idx, ua]) + 1,
        "ul": np.concatenate([np.zeros(n, np.int64), u["ul"]]),
        "gu": np.concatenate([np.zeros(n, np.int64), u["gu"]]),
        "d0": np.concatenate([acc_d0, u["cday"]]),
        "d1": np.concatenate([a["cov_end"], user_d1]),
        "p": np.concatenate([np.ones(n), u["p"]]),
        "role": np.concatenate([np.full(n, 3, np.int64), u["role"]]),
        "c_day": np.concatenate([a["created_day"], u["cday"]]),
        "c_sec": np.concatenate([a["created_sec"], u["csec"]]),
    }
    owner = np.concatenate([acct_idx, ua])
    for key in ("gap_start", "gap_end", "ds1", "de1", "ds2", "de2", "amask", "sync_max", "api_mean"):
        cols[key] = a[key][owner]
    # Per-actor coefficients so the per-day expression stays cheap:
    #   weekday/weekend probability, trend = clamp(tr0 + tr1 * d, 0.3, 2),
    #   onboarding ramp = min(1, ob0 + d / 50), expander ramp = 1 + rp * max(0, d - (as_of - 180)).
    cov0 = a["created_day"][owner].astype(np.float64)
    slope = a["slope"][owner]
    cols["p_we"] = cols["p"] * 0.12
    cols["tr0"] = 1.0 - slope * cov0 / 365.0
    cols["tr1"] = slope / 365.0
    cols["ob0"] = 0.4 - cov0 / 50.0
    cols["rp"] = a["ramp"][owner] / 180.0
    order = np.lexsort((cols["ul"], cols["acct"]))
    out = {k: v[order] for k, v in cols.items()}
    for k in ("acct", "ul", "d0", "d1", "role", "c_day", "c_sec", "gap_start", "gap_end",
              "ds1", "de1", "ds2", "de2", "amask", "sync_max"):
        out[k] = out[k].astype(np.int32)
    out["c_sec"] = np.minimum(out["c_sec"], 80000).astype(np.int32)
    return out


# Per event index: probability of the event on an active user-day (by role:
# admin, member, viewer) or on a covered day for account-level events, the
# multiplier inside a planted pre-churn window, and the mean extra quantity.
_P_EVENT = {
    E_LOGIN: "0.85", E_SEARCH: "0.55", E_DASH: "0.50",
    E_REP_CREATED: "CASE role WHEN 2 THEN 0.03 ELSE 0.13 END",
    E_REP_EXPORTED: "CASE role WHEN 2 THEN 0.10 ELSE 0.18 END",
    E_SYNC: "0.75", E_COMMENT: "0.20",
    E_FILE: "CASE role WHEN 2 THEN 0.02 ELSE 0.10 END",
    E_ALERT: "CASE role WHEN 0 THEN 0.06 ELSE 0.015 END",
    E_API: "CASE WHEN wkend THEN 0.35 ELSE 0.85 END",
}
_DROP = {E_SEARCH: "0.0", E_DASH: "0.3", E_REP_EXPORTED: "0.3", E_REP_CREATED: "0.5",
         E_SYNC: "0.5", E_API: "0.8"}
_QTY_MEAN_EXTRA = {E_LOGIN: "0.4", E_SEARCH: "2.5", E_DASH: "2.0", E_REP_CREATED: "0.3",
                   E_REP_EXPORTED: "0.8", E_COMMENT: "1.2", E_FILE: "0.6", E_ALERT: "0.1",
                   E_API: "api_mean - 1.0"}


def _case_e(mapping: dict, default: str) -> str:
    whens = " ".join(f"WHEN {e} THEN ({v})::DOUBLE" for e, v in mapping.items())
    return f"(CASE e {whens} ELSE ({default})::DOUBLE END)"


def _usage_sql(seed: int, as_of: int, lo: int, hi: int) -> str:
    """One chunk of usage events: accounts [lo, hi) appended to `ev` in key order."""
    u = "((hash({seed}, {tag}, acct, ul, d{extra}) >> 11)::DOUBLE * 1.1102230246251565e-16)"
    u1 = u.format(seed=seed, tag=1, extra="")
    u2 = u.format(seed=seed, tag=2, extra=", e")
    ramp0 = as_of - 180
    user_events = [e for e in range(10) if e not in (E_SYNC, E_API)]
    return f"""
    INSERT INTO ev
    WITH ad AS (
        SELECT acct, ul, gu, p, p_we, role, c_day, c_sec, gap_start, gap_end,
               ds1, de1, ds2, de2, tr0, tr1, ob0, rp, amask, sync_max, api_mean,
               unnest(range(d0, d1)) AS d
        FROM actors WHERE acct >= {lo} AND acct < {hi}
    ), ad2 AS (
        SELECT *, ((d + 3) % 7) >= 5 AS wkend,
               ((d >= ds1 AND d < de1) OR (d >= ds2 AND d < de2)) AS in_drop
        FROM ad
        WHERE NOT (d >= gap_start AND d < gap_end)
    ), act AS (
        SELECT * FROM ad2
        WHERE ul = 0 OR {u1} <
              (CASE WHEN wkend THEN p_we ELSE p END)
              * greatest(0.3::DOUBLE, least(2.0::DOUBLE, tr0 + tr1 * d))
              * least(1.0::DOUBLE, ob0 + d / 50.0::DOUBLE)
              * (1.0::DOUBLE + rp * greatest(0, d - {ramp0}))
              * (CASE WHEN in_drop THEN 0.85::DOUBLE ELSE 1.0::DOUBLE END)
    ), ev1 AS (
        SELECT *, unnest(CASE WHEN ul = 0 THEN [{E_SYNC}, {E_API}]
                              ELSE {user_events} END) AS e
        FROM act
    ), ev2 AS (
        SELECT *, hash({seed}, 3, acct, ul, d, e) AS h3
        FROM ev1
        WHERE ((amask >> e) & 1) = 1
          AND {u2} < {_case_e(_P_EVENT, "0")}
                     * (CASE WHEN in_drop THEN {_case_e(_DROP, "0.9")} ELSE 1.0::DOUBLE END)
    )
    SELECT acct, ul::SMALLINT AS ul, CASE WHEN ul = 0 THEN NULL ELSE gu END::INTEGER AS gu,
           e::TINYINT AS e, d,
           greatest(
               CASE WHEN ul = 0 THEN floor(((h3 & 4294967295) / 4294967296.0::DOUBLE) * 86400)
                    ELSE 25200 + floor(((h3 & 4294967295) / 4294967296.0::DOUBLE) * 43200) END,
               CASE WHEN d = c_day THEN c_sec + 60 + (h3 % 1800) ELSE 0 END)::INTEGER AS secs,
           least(100000, CASE e
               WHEN {E_SYNC} THEN 1 + floor(((h3 >> 32) / 4294967296.0::DOUBLE) * sync_max)
               ELSE 1 + floor(-ln(1.0::DOUBLE - ((h3 >> 32) / 4294967296.0::DOUBLE))
                              * {_case_e(_QTY_MEAN_EXTRA, "0")})
           END)::INTEGER AS qty
    FROM ev2
    ORDER BY acct, ul, d, e
    """


# --------------------------------------------------------------------------
# 5. the driver
# --------------------------------------------------------------------------
def generate(accounts: int, seed: int, out: str | Path, fmt: str = "parquet",
             as_of: str = "2026-06-30", progress: bool = True) -> dict:
    """Generate the demo raw tables into `out`; returns {table: row count}."""
    if int(accounts) < 1:
        raise ValueError("accounts must be >= 1")
    if fmt not in ("parquet", "csv"):
        raise ValueError("fmt must be 'parquet' or 'csv'")
    accounts, seed = int(accounts), int(seed)
    as_of_day = _epoch_day(str(as_of))
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    (out / PLANTED_DIR).mkdir(exist_ok=True)
    n_chunks = (accounts + CHUNK_ACCOUNTS - 1) // CHUNK_ACCOUNTS
    prog = _Progress(3 + n_chunks + 1 + len(TABLES) + 1, progress)

    rng = np.random.default_rng([seed, 20260630])
    a = _simulate_accounts(rng, accounts, as_of_day)
    sub = _simulate_subscriptions(rng, a)
    _plant_roles(rng, a)
    prog.step("accounts & subscriptions")
    u = _simulate_users(rng, a)
    inv = _simulate_invoices(rng, a, sub)
    tix = _simulate_tickets(rng, a)
    nps = _simulate_nps(rng, a, u)
    goals = _plan_goals(rng, a)
    csm = _assign_csms(rng, a)
    prog.step("users, invoices, tickets")
    actors = _actors(a, u)

    tmp = Path(tempfile.mkdtemp(prefix=".cs_generate_", dir=out))
    try:
        con = duckdb.connect(str(tmp / "scratch.duckdb"))
        con.execute("SET threads = 2")
        con.execute("SET memory_limit = '4GB'")
        spill = str(tmp / "spill").replace("'", "''")
        con.execute(f"SET temp_directory = '{spill}'")
        # Chunks are inserted with ORDER BY and usage_events is written with a
        # plain scan, so insertion order must be kept (switched off only for
        # the goal aggregation, which does not need it).
        con.execute("SET preserve_insertion_order = true")
        con.register("actors_np", actors)
        con.execute("CREATE TABLE actors AS SELECT * FROM actors_np")
        con.unregister("actors_np")
        con.execute("""CREATE TABLE ev (acct INTEGER, ul SMALLINT, gu INTEGER, e TINYINT,
                       d INTEGER, secs INTEGER, qty INTEGER)""")
        prog.step("usage: prepared")
        for c in range(n_chunks):
            lo = 1 + c * CHUNK_ACCOUNTS
            hi = min(accounts, lo + CHUNK_ACCOUNTS - 1) + 1
            con.execute(_usage_sql(seed, as_of_day, lo, hi))
            prog.step(f"usage chunk {c + 1}/{n_chunks}")

        _build_tables(con, a, sub, u, inv, tix, nps, goals, csm)
        prog.step("goals & tables")
        counts = {}
        ext = "csv" if fmt == "csv" else "parquet"
        for table in TABLES:
            counts[table] = _write(con, table, out / f"{table}.{ext}", fmt)
            prog.step(f"wrote {table}")
        _write(con, PLANTED_TABLE, out / PLANTED_DIR / f"{PLANTED_TABLE}.{ext}", fmt,
               key="account_id")
        prog.step("wrote planted truth")
        con.close()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return counts


def _write(con: duckdb.DuckDBPyConnection, table: str, path: Path, fmt: str,
           key: str | None = None) -> int:
    key = key or TABLE_KEYS[table]
    if path.exists():
        path.unlink()
    options = "FORMAT csv, HEADER true" if fmt == "csv" else "FORMAT parquet, COMPRESSION zstd"
    if table == "usage_events":
        # already stored in key order: a plain scan keeps insertion order
        query = "SELECT * FROM out_usage_events"
    else:
        query = f"SELECT * FROM out_{table} ORDER BY {key}"
    target = str(path).replace("'", "''")
    con.execute(f"COPY ({query}) TO '{target}' ({options})")
    return int(con.execute(f"SELECT count(*) FROM out_{table}").fetchone()[0])


def _assign_csms(rng: np.random.Generator, a: dict) -> dict:
    n = a["n"]
    n_csm = max(2, int(round(n / 60)))
    load = rng.gamma(4.0, 1.0, n_csm)
    assigned = rng.random(n) < np.where(a["tier0"] == 0, 0.5, 0.92)
    pick = rng.choice(n_csm, n, p=load / load.sum())
    return {"acct_csm": np.where(assigned, pick, -1),
            "n": n_csm,
            "first": rng.integers(0, len(FIRST_NAMES), n_csm),
            "last": rng.integers(0, len(LAST_NAMES), n_csm),
            "max_accounts": rng.integers(40, 81, n_csm)}


def _build_tables(con, a, sub, u, inv, tix, nps, goals, csm) -> None:
    n, as_of, h0 = a["n"], a["as_of"], a["h0"]
    w_acct = _width(n, 6)
    w_user = _width(len(u["acct"]), 7)
    w_sub = _width(len(sub["acct"]), 7)
    w_inv = _width(len(inv["acct"]), 8)
    w_tix = _width(len(tix["acct"]), 7)
    w_nps = _width(len(nps["acct"]), 7)
    w_goal = _width(len(goals["acct"]), 6)
    w_csm = _width(csm["n"], 3)
    max_ul = int(u["ul"].max()) if len(u["ul"]) else 1
    w_ul = _width(max_ul, 4)

    def acct_id(col: str) -> str:
        return f"'A' || lpad(({col})::VARCHAR, {w_acct}, '0')"

    def ts(col: str) -> str:
        return f"make_timestamp(({col})::BIGINT * 1000000)"

    def date(col: str) -> str:
        return f"(DATE '1970-01-01' + ({col})::INTEGER)"

    def reg(name: str, cols: dict) -> None:
        con.register(name, {k: np.ascontiguousarray(v) for k, v in cols.items()})

    # accounts & csms ---------------------------------------------------------
    reg("acc_np", {"acct": np.arange(1, n + 1), "adj": a["name_adj"], "noun": a["name_noun"],
                   "suf": a["name_suffix"], "ind": a["industry"], "ctry": a["country"],
                   "emp": a["employees"], "cts": a["created_day"] * DAY + a["created_sec"],
                   "csm": csm["acct_csm"]})
    con.execute(f"""
        CREATE TABLE out_accounts AS SELECT
            {acct_id('acct')} AS account_id,
            {_sql_list(NAME_ADJ)}[adj + 1] || ' ' || {_sql_list(NAME_NOUN)}[noun + 1] || ' '
                || {_sql_list(NAME_SUFFIX)}[suf + 1] AS account_name,
            {_sql_list(INDUSTRIES)}[ind + 1] AS industry,
            {_sql_list(COUNTRIES)}[ctry + 1] AS country,
            emp::INTEGER AS employee_count,
            {ts('cts')} AS created_at,
            CASE WHEN csm >= 0 THEN 'CSM' || lpad((csm + 1)::VARCHAR, {w_csm}, '0') END AS csm_id
        FROM acc_np""")
    reg("csm_np", {"i": np.arange(1, csm["n"] + 1), "f": csm["first"], "l": csm["last"],
                   "mx": csm["max_accounts"]})
    con.execute(f"""
        CREATE TABLE out_csms AS SELECT
            'CSM' || lpad(i::VARCHAR, {w_csm}, '0') AS csm_id,
            {_sql_list(FIRST_NAMES)}[f + 1] || ' ' || {_sql_list(LAST_NAMES)}[l + 1] AS csm_name,
            mx::INTEGER AS max_accounts
        FROM csm_np""")

    # subscriptions & invoices ----------------------------------------------
    nsub = len(sub["acct"])
    reg("sub_np", {"sid": np.arange(1, nsub + 1), "acct": sub["acct"] + 1, "tier": sub["tier"],
                   "annual": sub["annual"].astype(np.int8), "seats": sub["seats"],
                   "amount": sub["amount"], "cur": sub["currency"], "sd": sub["start"],
                   "ed": sub["end"], "cts": sub["cancel_day"] * DAY + sub["cancel_sec"],
                   "cday": sub["cancel_day"], "reason": sub["reason"]})
    con.execute(f"""
        CREATE TABLE out_subscriptions AS SELECT
            'S' || lpad(sid::VARCHAR, {w_sub}, '0') AS subscription_id,
            {acct_id('acct')} AS account_id,
            {_sql_list(PLANS)}[tier + 1] AS plan_name,
            CASE WHEN annual = 1 THEN 'year' ELSE 'month' END AS billing_interval,
            seats::INTEGER AS seats,
            amount::DECIMAL(12, 2) AS amount,
            {_sql_list(CURRENCIES)}[cur + 1] AS currency,
            {date('sd')} AS start_date,
            CASE WHEN ed >= 0 THEN {date('ed')} END AS end_date,
            CASE WHEN cday >= 0 THEN {ts('cts')} END AS canceled_at,
            CASE WHEN reason >= 0 THEN {_sql_list(CANCEL_REASONS)}[reason + 1] END AS cancel_reason
        FROM sub_np""")
    ninv = len(inv["acct"])
    reg("inv_np", {"i": np.arange(1, ninv + 1), "acct": inv["acct"] + 1, "sid": inv["sub_idx"] + 1,
                   "iss": inv["issued"], "due": inv["due"], "amount": inv["amount"],
                   "cur": inv["currency"], "st": inv["status"],
                   "pts": inv["paid_day"] * DAY + inv["paid_sec"]})
    con.execute(f"""
        CREATE TABLE out_invoices AS SELECT
            'INV' || lpad(i::VARCHAR, {w_inv}, '0') AS invoice_id,
            {acct_id('acct')} AS account_id,
            'S' || lpad(sid::VARCHAR, {w_sub}, '0') AS subscription_id,
            {date('iss')} AS issued_at,
            {date('due')} AS due_at,
            amount::DECIMAL(12, 2) AS amount,
            {_sql_list(CURRENCIES)}[cur + 1] AS currency,
            {_sql_list(['paid', 'open', 'void', 'uncollectible'])}[st + 1] AS status,
            CASE WHEN st = 0 THEN {ts('pts')} END AS paid_at
        FROM inv_np""")

    # users -------------------------------------------------------------
    reg("users_np", {"gu": u["gu"], "acct": u["acct"] + 1, "ul": u["ul"], "adj": a["name_adj"][u["acct"]],
                     "noun": a["name_noun"][u["acct"]], "role": u["role"],
                     "cts": u["cday"] * DAY + u["csec"], "dday": u["dday"],
                     "dts": u["dday"] * DAY + u["dsec"]})
    con.execute(f"""
        CREATE TABLE out_users AS SELECT
            'U' || lpad(gu::VARCHAR, {w_user}, '0') AS user_id,
            {acct_id('acct')} AS account_id,
            'user_' || CASE WHEN ul < 1000 THEN lpad(ul::VARCHAR, 3, '0') ELSE ul::VARCHAR END || '@'
                || lower({_sql_list(NAME_ADJ)}[adj + 1] || {_sql_list(NAME_NOUN)}[noun + 1])
                || '-' || acct::VARCHAR || '.example' AS email,
            {_sql_list(ROLES)}[role + 1] AS role,
            {ts('cts')} AS created_at,
            CASE WHEN dday >= 0 THEN {ts('dts')} END AS deactivated_at
        FROM users_np""")

    # usage events ----------------------------------------------------------
    con.execute(f"""
        CREATE VIEW out_usage_events AS SELECT
            'E' || lpad((acct::BIGINT * {10 ** (w_ul + 5)} + ul::BIGINT * 100000
                         + (d - {h0}) * 10 + e)::VARCHAR, {w_acct + w_ul + 5}, '0') AS event_id,
            {acct_id('acct')} AS account_id,
            CASE WHEN gu IS NOT NULL THEN 'U' || lpad(gu::VARCHAR, {w_user}, '0') END AS user_id,
            {_sql_list(EVENT_NAMES)}[e + 1] AS event_name,
            make_timestamp((d::BIGINT * 86400 + secs) * 1000000) AS occurred_at,
            qty AS quantity
        FROM ev""")

    # tickets & nps ---------------------------------------------------------
    nt = len(tix["acct"])
    reg("tix_np", {"i": np.arange(1, nt + 1), "acct": tix["acct"] + 1, "ots": tix["opened_ts"],
                   "cts": tix["closed_ts"], "prio": tix["prio"], "csat": tix["csat"]})
    con.execute(f"""
        CREATE TABLE out_support_tickets AS SELECT
            'T' || lpad(i::VARCHAR, {w_tix}, '0') AS ticket_id,
            {acct_id('acct')} AS account_id,
            {ts('ots')} AS opened_at,
            CASE WHEN cts >= 0 THEN {ts('cts')} END AS closed_at,
            {_sql_list(PRIORITIES)}[prio + 1] AS priority,
            CASE WHEN csat > 0 THEN csat::INTEGER END AS csat
        FROM tix_np""")
    nn = len(nps["acct"])
    reg("nps_np", {"i": np.arange(1, nn + 1), "acct": nps["acct"] + 1, "gu": nps["gu"],
                   "ts": nps["ts"], "score": nps["score"]})
    con.execute(f"""
        CREATE TABLE out_nps_responses AS SELECT
            'R' || lpad(i::VARCHAR, {w_nps}, '0') AS response_id,
            {acct_id('acct')} AS account_id,
            'U' || lpad(gu::VARCHAR, {w_user}, '0') AS user_id,
            {ts('ts')} AS responded_at,
            score::INTEGER AS score
        FROM nps_np""")

    # goals: targets set against the usage actually generated -----------------
    reg("goal_np", {"gid": goals["gid"], "acct": goals["acct"] + 1, "metric": goals["metric"],
                    "ev": goals["ev"], "sd": goals["start"], "dd": goals["due"],
                    "factor": goals["factor"]})
    reg("seat_np", {"acct": sub["acct"] + 1, "sd": sub["start"], "ed": sub["end"],
                    "seats": sub["seats"]})
    con.execute("SET preserve_insertion_order = false")
    con.execute(f"""
        CREATE TABLE goal_eval AS
        WITH g AS (SELECT *, least(dd, {as_of}) AS ev_day FROM goal_np),
        evc AS (
            SELECT g.gid, coalesce(sum(x.qty), 0)::BIGINT AS n
            FROM g LEFT JOIN ev x
              ON x.acct = g.acct AND x.e = g.ev AND x.d BETWEEN g.sd AND g.ev_day
            WHERE g.ev >= 0 GROUP BY g.gid
        ), au AS (
            SELECT g.gid, count(DISTINCT x.gu)::BIGINT AS n
            FROM g LEFT JOIN ev x
              ON x.acct = g.acct AND x.gu IS NOT NULL AND x.d BETWEEN g.ev_day - 29 AND g.ev_day
            WHERE g.ev < 0 GROUP BY g.gid
        ), st AS (
            SELECT g.gid, max(s.seats) AS seats
            FROM g JOIN seat_np s ON s.acct = g.acct AND s.sd <= g.ev_day
             AND (s.ed < 0 OR s.ed > g.ev_day)
            GROUP BY g.gid
        ), last_seats AS (
            SELECT acct, arg_max(seats, sd) AS seats FROM seat_np GROUP BY acct
        )
        SELECT g.gid, g.acct, g.metric, g.sd, g.dd, g.factor,
               coalesce(evc.n, 0) AS n_events, coalesce(au.n, 0) AS n_active,
               coalesce(st.seats, ls.seats) AS seats,
               (g.dd - g.sd + 1)::DOUBLE / (g.ev_day - g.sd + 1) AS stretch
        FROM g LEFT JOIN evc USING (gid) LEFT JOIN au USING (gid) LEFT JOIN st USING (gid)
        LEFT JOIN last_seats ls ON ls.acct = g.acct""")
    con.execute("SET preserve_insertion_order = true")
    metric_names = _sql_list([m for m, _, _ in GOAL_METRICS])
    con.execute(f"""
        CREATE MACRO nice(x) AS CASE WHEN x < 20 THEN ceil(x)
            ELSE round(x / pow(10, floor(log10(x)) - 1)) * pow(10, floor(log10(x)) - 1) END""")
    con.execute(f"""
        CREATE TABLE out_success_goals AS
        WITH t AS (
            SELECT *,
                CASE
                  WHEN metric = 0 THEN greatest(2, round(CASE WHEN n_active > 0 THEN n_active
                                                     ELSE seats * 0.7 END * factor))
                  WHEN metric = 1 THEN least(1.0, greatest(0.3, round(
                        CASE WHEN n_active > 0 THEN n_active::DOUBLE / greatest(seats, 1)
                             ELSE 0.7 END * factor * 20) / 20))
                  ELSE nice(greatest(5.0, n_events * stretch * factor))
                END AS target
            FROM goal_eval
        )
        SELECT
            'G' || lpad(gid::VARCHAR, {w_goal}, '0') AS goal_id,
            {acct_id('acct')} AS account_id,
            {metric_names}[metric + 1] AS metric,
            target::DECIMAL(12, 2) AS target_value,
            {date('sd')} AS start_date,
            {date('dd')} AS due_date,
            CASE metric
              WHEN 0 THEN 'Get ' || target::BIGINT || ' people actively using the product every month'
              WHEN 1 THEN 'Use at least ' || (target * 100)::BIGINT || '% of our licensed seats'
              WHEN 2 THEN 'Export ' || target::BIGINT || ' reports for leadership'
              WHEN 3 THEN 'Build ' || target::BIGINT || ' reports across the team'
              WHEN 4 THEN 'Reach ' || target::BIGINT || ' dashboard views'
              WHEN 5 THEN 'Run ' || target::BIGINT || ' searches instead of asking around'
              WHEN 6 THEN 'Sync data ' || target::BIGINT || ' times through our integrations'
              ELSE 'Upload ' || target::BIGINT || ' files to the shared workspace'
            END || ' by ' || strftime({date('dd')}, '%d %B %Y') AS description
        FROM t""")

    # planted truth -------------------------------------------------------------
    role = a["role"]
    churn_date = np.where(role == R_CHURNER, a["last_end"], -1)
    lead = np.where(a["churn2"] >= 0, a["de2"] - a["ds2"], a["de1"] - a["ds1"])
    reg("truth_np", {"acct": np.arange(1, n + 1), "role": role, "cd": churn_date,
                     "lead": lead, "ds1": a["ds1"], "c1": a["churn1"], "re": a["react"],
                     "never": (a["never_pay"] & ~a["has_sub"]).astype(np.int8),
                     "trialing": (~a["never_pay"] & ~a["has_sub"]).astype(np.int8),
                     "seats": a["last_seats"]})
    con.execute(f"""
        CREATE TABLE out_planted_accounts AS SELECT
            {acct_id('acct')} AS account_id,
            {_sql_list(ROLE_NAMES)}[role + 1] AS planted_role,
            CASE WHEN role = {R_CHURNER} THEN {date('cd')} END AS churn_date,
            CASE role
              WHEN {R_CHURNER} THEN 'churned (no renewal); search stopped ' || lead::VARCHAR
                   || ' days before churn, dashboard_view/report_exported -70%'
                   || CASE WHEN re >= 0 THEN '; earlier churn on ' || strftime({date('c1')}, '%Y-%m-%d')
                           || ', reactivated ' || strftime({date('re')}, '%Y-%m-%d') ELSE '' END
              WHEN {R_FUTURE} THEN 'still subscribed; search stopped on '
                   || strftime({date('ds1')}, '%Y-%m-%d') || ' (' || ({as_of} + 1 - ds1)::VARCHAR
                   || ' days before as-of)'
              WHEN {R_MISSER} THEN 'healthy usage and seat utilisation; event goals set 4-6x above achieved'
              WHEN {R_EXPANDER} THEN 'active users ~= ' || seats::VARCHAR || ' licensed seats; usage growing'
              ELSE CASE
                WHEN re >= 0 THEN 'churned on ' || strftime({date('c1')}, '%Y-%m-%d')
                     || ' (search stopped before), reactivated ' || strftime({date('re')}, '%Y-%m-%d')
                WHEN never = 1 THEN 'trial only, never paid'
                WHEN trialing = 1 THEN 'in trial at as-of, not yet paying'
                ELSE NULL END
            END AS notes
        FROM truth_np""")
    for name in ("acc_np", "csm_np", "sub_np", "inv_np", "users_np", "tix_np", "nps_np",
                 "goal_np", "seat_np", "truth_np"):
        con.unregister(name)


# --------------------------------------------------------------------------
# CLI
# --------------------------------------------------------------------------
def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m cs_segments.generate",
        description="Generate deterministic demo raw data (and its planted truth).")
    parser.add_argument("--accounts", type=int, default=2000, help="accounts (default 2000)")
    parser.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
    parser.add_argument("--out", default="data/demo", help="output folder (default data/demo)")
    parser.add_argument("--format", dest="fmt", choices=["parquet", "csv"], default="parquet",
                        help="file format (default parquet)")
    parser.add_argument("--as-of", default="2026-06-30",
                        help="last day of generated history, YYYY-MM-DD (default 2026-06-30)")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    args = parser.parse_args(argv)
    try:
        _dt.date.fromisoformat(args.as_of)
    except ValueError:
        parser.error(f"--as-of must be YYYY-MM-DD, got {args.as_of!r}")
    if args.accounts < 1:
        parser.error("--accounts must be >= 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = _parse_args(argv)
    t0 = time.perf_counter()
    counts = generate(accounts=args.accounts, seed=args.seed, out=args.out, fmt=args.fmt,
                      as_of=args.as_of, progress=not args.quiet)
    if not args.quiet:
        total = sum(counts.values())
        print(f"wrote {total:,} rows to {args.out} in {time.perf_counter() - t0:.1f}s",
              file=sys.stderr)
        for table, rows in counts.items():
            print(f"  {table:<16} {rows:>12,}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
