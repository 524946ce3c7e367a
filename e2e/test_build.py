"""The whole project builds on the demo data with every dbt test passing.

This is the `dbt build` (seeds, models, data tests, unit tests, contracts) of
the README's check command; the other e2e modules read its warehouse.
"""

from __future__ import annotations


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
