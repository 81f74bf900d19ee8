"""The allocator's paths: the fast exact one, its search, and the general MILP fallback, on hand-made problems."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from certcredit.engine import allocate as allocation
from certcredit.engine.allocate import AllocationProblem, Item, allocate, make_item


def brute_force(problem: AllocationProblem, items: list[Item]) -> int:
    """Every assignment (one cap at most; its ticks go to shortfalls first, which is exact for a single cap)."""
    best = None
    choices = [[*item[4], -1] for item in items]
    for assignment in itertools.product(*choices):
        counted = [0] * len(problem.required)
        capped = [0] * len(problem.required)
        for item, bucket in zip(items, assignment, strict=True):
            if bucket >= 0:
                (capped if item[5] else counted)[bucket] += item[2]
        limit = problem.cap_limits[0] if problem.cap_limits else 0
        # the single cap's ticks go where they close a shortfall first (exact for one cap)
        room = limit
        short = 0
        for b, need in enumerate(problem.required):
            gap = max(0, need - counted[b])
            use = min(gap, capped[b], room)
            room -= use
            short += gap - use
        # every item counts toward the total, whatever its bucket (caps apply)
        free_total = sum(item[2] for item in items if not item[5])
        total = free_total + min(limit, sum(item[2] for item in items if item[5]))
        total_short = max(0, problem.total_required - total) if problem.total_required is not None else 0
        value = max(short, total_short)
        best = value if best is None else min(best, value)
    assert best is not None
    return best


SMALL = st.lists(
    st.tuples(
        st.sampled_from([60, 90, 120, 180]),
        st.lists(st.integers(0, 2), min_size=0, max_size=3, unique=True),
        st.booleans(),
    ),
    max_size=7,
)


@settings(max_examples=300, deadline=None)
@given(SMALL, st.sampled_from([0, 60, 150]), st.sampled_from([None, 400, 600]))
def test_the_fast_path_matches_brute_force_on_small_problems(
    raw: list[tuple[int, list[int], bool]], limit: int, total: int | None
) -> None:
    items = [
        make_item(t, tuple(sorted(options)), (0,) if capped else (), k) for k, (t, options, capped) in enumerate(raw)
    ]
    problem = AllocationProblem((120, 180, 60), (limit,), total)
    assert allocate(problem, items).needed == brute_force(problem, items)


def test_the_fallback_solves_when_the_search_runs_out_of_nodes(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("scipy")
    items = [make_item(60 + 7 * k, (0, 1), (), k) for k in range(12)]
    problem = AllocationProblem((400, 500))
    fast = allocate(problem, items)
    monkeypatch.setattr(allocation, "NODE_BUDGET", 3)
    before = allocation.STATS["milp"]
    slow = allocate(problem, items)
    assert allocation.STATS["milp"] == before + 1
    assert slow.method == "milp"
    assert slow.needed == fast.needed


def test_overlapping_caps_are_solved_by_the_general_solver() -> None:
    pytest.importorskip("scipy")
    items = [make_item(180, (0,), (0, 1), 0), make_item(180, (1,), (1,), 1)]
    problem = AllocationProblem((180, 180), (120, 200), overlapping_caps=True)
    result = allocate(problem, items)
    assert result.method == "milp"
    # cap 0 holds item 0 to 2 h; cap 1 holds both items to 200 minutes in all
    assert sum(result.counted) == 200
    assert result.counted[0] <= 120
    assert result.needed == 160


def test_splitting_lets_one_record_serve_two_buckets() -> None:
    pytest.importorskip("scipy")
    items = [make_item(240, (0, 1), (), 0)]
    result = allocate(AllocationProblem((120, 120), splitting=True), items)
    assert result.needed == 0
    assert sorted(result.parts) == [(0, 0, 120), (0, 1, 120)]


def test_two_binding_caps_spread_over_buckets_exactly() -> None:
    # cap 0 can serve buckets 0 and 1, cap 1 only bucket 0: a greedy spread filling bucket 0 from cap 0 fails
    items = [make_item(120, (0,), (0,), 0), make_item(120, (1,), (0,), 1), make_item(120, (0,), (1,), 2)]
    problem = AllocationProblem((120, 120), (120, 60))
    result = allocate(problem, items)
    assert result.needed == 60
    assert sum(result.counted) == 180
