"""The whole project builds on the demo data with every dbt test passing.

This is the `dbt build` (seeds, models, data tests, unit tests, contracts) of
the README's check command; the other e2e modules read its warehouse.
"""

from __future__ import annotations

from conftest import query


def test_full_build_passes_every_test(full_build):
    # exposures are listed in the build results with status no-op
    exposures = {node_result.node.name
                 for node_result in full_build.result.results
                 if node_result.node.resource_type == "exposure"}
    failed = {name: status for name, status in full_build.statuses().items()
              if status not in ("pass", "success")
              and not (name in exposures and status == "no-op")}
    assert full_build.success and not failed, f"{failed}\n{full_build.text}"


def test_full_build_ran_unit_and_data_tests(full_build):
    """Guard against a selection that silently runs no test."""
    kinds = {}
    for node_result in full_build.result.results:
        kinds[node_result.node.resource_type] = (
            kinds.get(node_result.node.resource_type, 0) + 1)
    assert kinds.get("unit_test", 0) >= 40, kinds
    assert kinds.get("test", 0) >= 200, kinds
    assert kinds.get("model", 0) >= 40, kinds


def test_unique_combination_finds_every_repeat(full_build):
    """The unique_combination test (tests/generic/) groups a hash of the
    combination first and compares the columns themselves only for repeated
    hashes: it must still report every repeated combination, nulls counting
    as values, with its number of rows, and nothing else; also when every
    row shares one hash (a collision for all), which leaves the work to the
    comparison of the columns."""
    assert full_build.success, full_build.text
    compiled = [node_result.node.compiled_code
                for node_result in full_build.result.results
                if node_result.node.name.startswith(
                    "unique_combination_int_usage_daily_")]
    assert len(compiled) == 1, len(compiled)
    sql = compiled[0]
    table = '"wh"."intermediate"."int_usage_daily"'
    combination_hash = "hash(account_id, user_id, event_name, activity_date)"
    assert sql.count(table) == 2 and sql.count(combination_hash) == 2, sql
    order = "order by account_id, user_id, event_name, activity_date limit 1"
    # one account-level row (null user) twice, one user row three times
    repeated = (
        f"(select * from {table}"
        f" union all (select * from {table} where user_id is null {order})"
        f" union all (select * from {table} where user_id is not null {order})"
        f" union all (select * from {table} where user_id is not null {order}))"
    )
    expected = query(
        full_build.db_path,
        f"select account_id, user_id, event_name, activity_date, n from ("
        f"(select *, 2 as n from {table} where user_id is null {order})"
        f" union all"
        f" (select *, 3 as n from {table} where user_id is not null {order}))"
        f" order by user_id nulls first",
    )
    assert len(expected) == 2 and expected[0][1] is None, expected
    collided = sql.replace(combination_hash, "0")
    for name, text in [("hashed", sql), ("one hash for all", collided)]:
        assert query(full_build.db_path, text) == [], name
        found = query(
            full_build.db_path,
            f"select * from ({text.replace(table, repeated)})"
            f" order by user_id nulls first",
        )
        assert found == expected, (name, found)
