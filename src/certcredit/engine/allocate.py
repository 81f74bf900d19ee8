"""Exact allocation of records to requirement buckets (RULES.md, Allocation; SPEC.md, hours_needed).

Every quantity is an integer number of ticks (credit minutes). The problem: each item (a record that may count)
goes whole to at most one of its eligible buckets; caps by format limit how many of a group's ticks count, and a
capped item may count in part. Minimise ``hours_needed = max(sum of bucket shortfalls, total shortfall)``.

Why the fast path is exact:

* With disjoint caps the total counted is the same for every assignment (all uncapped ticks plus, per cap,
  ``min(limit, ticks under it)``), so only the sum of bucket shortfalls ``S`` depends on the choices.
* A cap that its items cannot exceed is not binding: those items are plain items.
* Given an assignment, spreading each binding cap over the buckets is a max flow from caps to needy buckets;
  its min cut is ``min over subsets A of caps [limits outside A + sum_b min(short_b, capped ticks of A in b)]``,
  enumerated exactly (two caps: four subsets).
* An item with one eligible bucket always goes there (it counts toward the total anyway). An option whose
  bucket is already met by uncapped forced items is useless, so items often lose all but one option.
* The remaining choices are searched depth first, largest items first, options ordered by remaining need, with
  symmetry breaking for identical items. Each node is bounded twice: per bucket (its need minus everything that
  could still reach it) and in aggregate (the uncapped deficit minus all uncapped ticks still to place and what
  each cap can still let through). At the root of a larger search the flow relaxation (records split freely,
  through the caps) gives a stronger bound. The search stops at a solution that meets the root bound, which
  proves it optimal. The first best leaf found is kept, so equal inputs give equal allocations (ties: larger
  items first, then input order; options by remaining need, then rulebook order).
* With a ``goal`` (the apply-by scan only asks "complete or not?") every node whose bound exceeds it is cut.

Anything else (overlapping caps, splitting, a search over the node budget) goes to a MILP (SciPy, imported only
then). ``STATS`` counts how often each path ran.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

NODE_BUDGET = 30_000
#: searches over more choices than this start from the flow relaxation's bound
FLOW_BOUND_FROM = 6

#: How often each method solved a problem in this process (the benchmark reports the MILP share).
STATS: Counter[str] = Counter()

#: A record that can count, as the sorting of records builds it (``engine.sorting``): a plain tuple, since the batch
#: makes millions of them. ``(position, record, ticks, rank, options, caps, first cap, only option)``:
#:
#: * ``position`` and ``record``: whose item it is (the allocation does not read them);
#: * ``ticks``: its credit; ``rank``: the order for partial counting under a cap (the earliest record first, ties
#:   in list order), e.g. its date;
#: * ``options``: the buckets it may serve (none: it counts toward the total only); ``caps``: the caps covering it;
#: * ``first cap``: ``caps[0]``, or -1; ``only option``: ``options[0]`` when it is the only one, else -1.
#:
#: The parts of an allocation name an item by its index in the list.
Item = tuple[int, Any, int, Any, tuple[int, ...], tuple[int, ...], int, int]


def make_item(
    ticks: int,
    options: tuple[int, ...],
    caps: tuple[int, ...] = (),
    rank: Any = 0,
    position: int = 0,
    record: Any = None,
) -> Item:
    """An ``Item`` from its meaningful fields (the sorting of records builds its tuples directly)."""
    return (
        position,
        record,
        ticks,
        rank,
        options,
        caps,
        caps[0] if caps else -1,
        options[0] if len(options) == 1 else -1,
    )


@dataclass(frozen=True, slots=True)
class AllocationProblem:
    """A rulebook's numbers: minimum per bucket, cap limits, the total; ``overlapping_caps`` when a format falls
    under several caps (then only the MILP is exact)."""

    required: tuple[int, ...]
    cap_limits: tuple[int, ...] = ()
    total_required: int | None = None
    splitting: bool = False
    overlapping_caps: bool = False


#: ``(item, bucket, ticks)``: ``ticks`` of the item at that index counted for ``bucket`` (-1: the total only).
Part = tuple[int, int, int]


@dataclass(slots=True)
class Allocation:
    """The chosen allocation: ``parts`` in item order, ``counted`` ticks per bucket."""

    parts: list[Part]
    counted: list[int]
    total_counted: int
    shortfall: int
    total_shortfall: int
    method: str
    #: set by allocators whose programs nest requirements (engine/nested.py), where the shortfalls do not add up
    exact_needed: int | None = None

    @property
    def needed(self) -> int:
        """SPEC.md ``hours_needed`` in ticks."""
        if self.exact_needed is not None:
            return self.exact_needed
        return max(self.shortfall, self.total_shortfall)


def settled(
    problem: AllocationProblem, parts: list[Part], counted: list[int], total_counted: int, method: str
) -> Allocation:
    """An allocation with its shortfalls: every allocator ends here, so they all measure what is missing alike."""
    shortfall = 0
    for need, have in zip(problem.required, counted, strict=True):
        if have < need:
            shortfall += need - have
    total_shortfall = 0
    if problem.total_required is not None and total_counted < problem.total_required:
        total_shortfall = problem.total_required - total_counted
    return Allocation(parts, counted, total_counted, shortfall, total_shortfall, method)


class _TooHard(Exception):
    """The search exceeded its node budget."""


def allocate(problem: AllocationProblem, items: list[Item], goal: int | None = None) -> Allocation:
    """The allocation with the fewest hours still needed; see the module docstring for the method.

    With ``goal`` (ticks), the answer only has to be exact about whether ``needed <= goal`` (the apply-by scan
    asks whether the records still complete the program); its allocation is then any one that says so.
    """
    if problem.splitting or problem.overlapping_caps:
        STATS["milp"] += 1
        return _allocate_milp(problem, items)
    try:
        return _allocate_fast(problem, items, goal)
    except _TooHard:
        STATS["milp"] += 1
        return _allocate_milp(problem, items)


# --- the fast exact path -------------------------------------------------------------------------------------


def _capped_relief(short: list[int], capped: list[list[int]], limits: list[int]) -> int:
    """Max flow from binding caps into bucket shortfalls, as the minimum over the cuts (exact, 2^caps terms)."""
    count = len(limits)
    if count == 1:
        relief = 0  # a plain loop: the search calls this at every leaf
        for s, c in zip(short, capped[0], strict=True):
            relief += s if s < c else c
        return limits[0] if limits[0] < relief else relief
    best = -1
    for mask in range(1 << count):
        cut = sum(limits[g] for g in range(count) if not mask >> g & 1)
        for b, s in enumerate(short):
            if s:
                reach = sum(capped[g][b] for g in range(count) if mask >> g & 1)
                cut += s if s < reach else reach
        if best < 0 or cut < best:
            best = cut
    return best


def _shortfall(required: tuple[int, ...], free: list[int], capped: list[list[int]], limits: list[int]) -> int:
    short = [r - f if r > f else 0 for r, f in zip(required, free, strict=True)]
    total = sum(short)
    if not limits or total == 0:
        return total
    return total - _capped_relief(short, capped, limits)


def _allocate_fast(problem: AllocationProblem, items: list[Item], goal: int | None = None) -> Allocation:
    """Binding caps, forced items, options made useless by forced items; a search for any choice left; then the
    caps spread over needy buckets (``_realise``). Written on plain lists: the batch runs it for every person."""
    required = problem.required
    cap_limits = problem.cap_limits
    buckets = len(required)
    held = [0] * len(cap_limits)
    free = [0] * buckets
    assigned: list[int] = []
    choices: list[int] = []
    under_caps: list[int] = []
    ticks_of: list[int] = []
    for index, (_, _, ticks, _, options, _, cap, only) in enumerate(items):
        ticks_of.append(ticks)
        if cap >= 0:
            held[cap] += ticks
            under_caps.append(index)
        if only >= 0:
            free[only] += ticks
            assigned.append(only)
        else:
            assigned.append(-1)
            if options:
                choices.append(index)
    # caps whose items hold more than the limit, each with a row of its own (a dense group index)
    groups: dict[int, int] = {}
    if under_caps:
        for cap, amount in enumerate(held):
            if amount > cap_limits[cap]:
                groups[cap] = len(groups)
    if not groups:  # the common case: every item counts whole, so only the buckets' needs decide
        return _place_uncapped(problem, items, assigned, choices, free, ticks_of, goal)
    limits = [cap_limits[cap] for cap in groups]
    capped = [[0] * buckets for _ in limits]
    group_of = [-1] * len(items)
    for index in under_caps:  # a forced item under a binding cap counts in its cap's row, not whole
        g = groups.get(items[index][6], -1)
        group_of[index] = g
        only = items[index][7]
        if g >= 0 and only >= 0:
            free[only] -= ticks_of[index]
            capped[g][only] += ticks_of[index]
    # items that the forced ones leave at most one useful option are placed, until nothing changes
    options_left: dict[int, tuple[int, ...]] = {}
    pending = choices
    changed = bool(pending)
    while changed:
        changed = False
        still: list[int] = []
        for index in pending:
            options = items[index][4]
            useful = []  # a plain loop: a comprehension would be a function call per item and pass
            for b in options:
                if free[b] < required[b]:
                    useful.append(b)
            if len(useful) > 1:
                options_left[index] = tuple(useful)
                still.append(index)
                continue
            bucket = useful[0] if useful else options[0]
            assigned[index] = bucket
            g = group_of[index]
            if g < 0:
                free[bucket] += ticks_of[index]
                changed = changed or bool(useful)
            else:
                capped[g][bucket] += ticks_of[index]
        pending = still
    if pending:
        STATS["search"] += 1
        _search(required, pending, options_left, items, group_of, assigned, free, capped, limits, goal)
        return _realise(problem, items, assigned, group_of, limits, "search")
    return _realise(problem, items, assigned, group_of, limits, "direct", (free, capped))


def _place_uncapped(
    problem: AllocationProblem,
    items: list[Item],
    assigned: list[int],
    choices: list[int],
    free: list[int],
    ticks_of: list[int],
    goal: int | None,
) -> Allocation:
    """``_allocate_fast`` when no cap binds: the same steps without the caps' rows."""
    required = problem.required
    options_left: dict[int, tuple[int, ...]] = {}
    pending = choices
    changed = bool(pending)
    while changed:
        changed = False
        still: list[int] = []
        for index in pending:
            options = items[index][4]
            useful = []  # a plain loop: a comprehension would be a function call per item and pass
            for b in options:
                if free[b] < required[b]:
                    useful.append(b)
            if len(useful) > 1:
                options_left[index] = tuple(useful)
                still.append(index)
                continue
            if useful:
                bucket = useful[0]
                changed = True
            else:
                bucket = options[0]
            assigned[index] = bucket
            free[bucket] += ticks_of[index]
        pending = still
    method = "direct"
    if pending:
        STATS["search"] += 1
        method = "search"
        _search(required, pending, options_left, items, [-1] * len(items), assigned, free, [], [], goal)
        free = [0] * len(required)  # the search restored ``free`` on its way back: add up the chosen assignment
        for bucket, ticks in zip(assigned, ticks_of, strict=True):
            if bucket >= 0:
                free[bucket] += ticks
    parts = list(zip(range(len(items)), assigned, ticks_of, strict=True))
    return settled(problem, parts, free, sum(ticks_of), method)


def _search(
    required: tuple[int, ...],
    pending: list[int],
    options: dict[int, tuple[int, ...]],
    items: list[Item],
    group_of: list[int],
    assigned: list[int],
    free: list[int],
    capped: list[list[int]],
    limits: list[int],
    goal: int | None = None,
) -> None:
    """Depth-first branch and bound over the items that still have a choice; writes the best into ``assigned``.

    With ``goal``, only whether a shortfall of at most ``goal`` is reachable matters: nodes whose bound exceeds it
    are cut at once (the apply-by scan asks only "complete or not").
    """
    order = [key[3] for key in sorted([(-items[i][2], options[i], group_of[i], i) for i in pending])]
    buckets = len(required)
    depth_count = len(order)
    # what every item from a depth on could still bring to each bucket (caps ignored: an optimistic bound)
    reach = [[0] * buckets for _ in range(depth_count + 1)]
    for depth in range(depth_count - 1, -1, -1):
        row = reach[depth] = list(reach[depth + 1])
        for b in options[order[depth]]:
            row[b] += items[order[depth]][2]
    same_as_previous = [
        d > 0
        and items[order[d]][2] == items[order[d - 1]][2]
        and options[order[d]] == options[order[d - 1]]
        and group_of[order[d]] == group_of[order[d - 1]]
        for d in range(depth_count)
    ]

    # what the items from a depth on hold: uncapped in all, and per binding cap
    groups = len(limits)
    left = [0] * (depth_count + 1)
    left_capped = [[0] * groups for _ in range(depth_count + 1)]
    for depth in range(depth_count - 1, -1, -1):
        index = order[depth]
        left[depth] = left[depth + 1]
        left_capped[depth] = list(left_capped[depth + 1])
        if group_of[index] < 0:
            left[depth] += items[index][2]
        else:
            left_capped[depth][group_of[index]] += items[index][2]

    def bound(depth: int) -> int:
        """A lower bound on the shortfall below this node: per bucket (each remaining item counted in every
        bucket it may serve, caps ignored) and in aggregate (all the uncapped ticks still to place, plus what each
        cap can still let through, close at most that much of the uncapped deficit)."""
        row = reach[depth]
        per_bucket = 0
        deficit = 0
        for b in range(buckets):
            need = required[b] - free[b]
            if need > 0:
                deficit += need
                have = row[b]
                for g_row in capped:
                    have += g_row[b]
                if have < need:
                    per_bucket += need - have
        room = left[depth]
        for g in range(groups):
            room += min(limits[g], sum(capped[g]) + left_capped[depth][g])
        aggregate = deficit - room
        return per_bucket if per_bucket > aggregate else aggregate

    root = bound(0)
    if depth_count > FLOW_BOUND_FROM:  # a small tree is cheaper to search than to bound by a flow
        remaining = [(options[i], group_of[i], items[i][2]) for i in order]
        for g in range(groups):
            remaining += [((b,), g, capped[g][b]) for b in range(buckets) if capped[g][b]]
        root = max(root, _flow_bound(required, free, limits, remaining))
    if goal is not None:
        root = max(root, goal)
    best_value = [-1]
    best: list[int] = []
    choice_index = [0] * depth_count
    nodes = [0]

    def visit(depth: int) -> bool:
        """True when the root bound is reached (nothing can be better: stop)."""
        nodes[0] += 1
        if nodes[0] > NODE_BUDGET:
            raise _TooHard
        if depth == depth_count:
            value = _shortfall(required, free, capped, limits)
            if best_value[0] < 0 or value < best_value[0]:
                best_value[0] = value
                best[:] = [assigned[i] for i in order]
            return value <= root
        if best_value[0] >= 0 and bound(depth) >= best_value[0]:
            return False
        if goal is not None and bound(depth) > goal:
            return False
        index = order[depth]
        item_options = options[index]
        if len(item_options) == 2:  # most items with a choice: two options, the needier first (ties: in order)
            first, second = item_options
            ranked: Any = (1, 0) if free[second] - required[second] < free[first] - required[first] else (0, 1)
        else:
            ranked = [k for _, k in sorted([(free[b] - required[b], k) for k, b in enumerate(item_options)])]
        lowest = choice_index[depth - 1] if same_as_previous[depth] else 0
        ticks = items[index][2]
        group = group_of[index]
        target = free if group < 0 else capped[group]
        for k in ranked:
            if k < lowest:
                continue
            bucket = item_options[k]
            choice_index[depth] = k
            assigned[index] = bucket
            target[bucket] += ticks
            done = visit(depth + 1)
            target[bucket] -= ticks
            if done:
                return True
        return False

    visit(0)
    if not best:  # with a goal, nothing reached it: any assignment will do to report the shortfall
        best = [options[i][0] for i in order]
    for index, bucket in zip(order, best, strict=True):
        assigned[index] = bucket


def _flow_bound(
    required: tuple[int, ...],
    free: list[int],
    limits: list[int],
    remaining: list[tuple[tuple[int, ...], int, int]],
) -> int:
    """The shortfall if items could be split among their buckets (a max flow through the caps): a lower bound.

    ``remaining`` holds (buckets, binding cap or -1, ticks) for every item not yet counted in ``free``.
    """
    buckets = len(required)
    deficit = [max(0, required[b] - free[b]) for b in range(buckets)]
    kinds: dict[tuple[tuple[int, ...], int], int] = {}
    for item_options, group, ticks in remaining:
        kinds[(item_options, group)] = kinds.get((item_options, group), 0) + ticks
    types = list(kinds.items())
    groups = len(limits)
    first_type = 1 + groups
    first_bucket = first_type + len(types)
    sink = first_bucket + buckets
    capacity = [[0] * (sink + 1) for _ in range(sink + 1)]
    for g in range(groups):
        capacity[0][1 + g] = limits[g]
    for t, ((item_options, group), ticks) in enumerate(types):
        capacity[0 if group < 0 else 1 + group][first_type + t] += ticks
        for b in item_options:
            capacity[first_type + t][first_bucket + b] = ticks
    for b in range(buckets):
        capacity[first_bucket + b][sink] = deficit[b]
    flow = _max_flow(capacity, 0, sink)
    return sum(deficit) - sum(flow[first_bucket + b][sink] for b in range(buckets))


def _max_flow(capacity: list[list[int]], source: int, sink: int) -> list[list[int]]:
    """Edmonds-Karp on a small dense graph; returns the flow matrix."""
    size = len(capacity)
    flow = [[0] * size for _ in range(size)]
    while True:
        parent = [-1] * size
        parent[source] = source
        queue = [source]
        for node in queue:
            for nxt in range(size):
                if parent[nxt] < 0 and capacity[node][nxt] - flow[node][nxt] > 0:
                    parent[nxt] = node
                    queue.append(nxt)
        if parent[sink] < 0:
            return flow
        push = None
        node = sink
        while node != source:
            prev = parent[node]
            room = capacity[prev][node] - flow[prev][node]
            push = room if push is None else min(push, room)
            node = prev
        assert push is not None
        node = sink
        while node != source:
            prev = parent[node]
            flow[prev][node] += push
            flow[node][prev] -= push
            node = prev


def _cap_spread(short: list[int], capped: list[list[int]], limits: list[int]) -> list[list[int]]:
    """How many ticks of each binding cap go to each needy bucket (a max flow; exact)."""
    count, buckets = len(limits), len(short)
    if count == 1:
        left = limits[0]
        spread = [0] * buckets
        for b in range(buckets):
            take = min(short[b], capped[0][b], left)
            spread[b] = take
            left -= take
        return [spread]
    source, sink = 0, 1 + count + buckets
    capacity = [[0] * (sink + 1) for _ in range(sink + 1)]
    for g in range(count):
        capacity[source][1 + g] = limits[g]
        for b in range(buckets):
            capacity[1 + g][1 + count + b] = capped[g][b]
    for b in range(buckets):
        capacity[1 + count + b][sink] = short[b]
    flow = _max_flow(capacity, source, sink)
    return [[max(0, flow[1 + g][1 + count + b]) for b in range(buckets)] for g in range(count)]


def _realise(
    problem: AllocationProblem,
    items: list[Item],
    assigned: list[int],
    group_of: list[int],
    limits: list[int],
    method: str,
    placed: tuple[list[int], list[list[int]]] | None = None,
) -> Allocation:
    """Turn an assignment into counted ticks: binding caps first fill needy buckets, then anything, oldest first.

    ``placed`` is what the assignment puts in each bucket outside and inside each binding cap, when the caller
    has it at hand (else it is added up here)."""
    required = problem.required
    buckets = len(required)
    if placed is None:
        free = [0] * buckets
        capped = [[0] * buckets for _ in limits]
        for index, item in enumerate(items):
            bucket = assigned[index]
            if bucket >= 0:
                if group_of[index] < 0:
                    free[bucket] += item[2]
                else:
                    capped[group_of[index]][bucket] += item[2]
    else:
        free, capped = placed
    counted_of = [item[2] for item in items]
    short = [r - f if r > f else 0 for r, f in zip(required, free, strict=True)]
    spread = _cap_spread(short, capped, limits)
    left = list(limits)
    # oldest first (by rank, then list order), sorted as pairs: no key function called per item
    capped_items = [i for _, i in sorted([(items[i][3], i) for i, g in enumerate(group_of) if g >= 0])]
    for index in capped_items:
        counted_of[index] = 0
        g, bucket = group_of[index], assigned[index]
        if bucket >= 0 and spread[g][bucket] > 0:
            take = min(items[index][2], spread[g][bucket])
            spread[g][bucket] -= take
            counted_of[index] = take
            left[g] -= take
    for index in capped_items:
        g = group_of[index]
        if left[g] > 0 and counted_of[index] < items[index][2]:
            take = min(items[index][2] - counted_of[index], left[g])
            counted_of[index] += take
            left[g] -= take
    # the items outside binding caps count whole (``free``); add what the capped ones count
    counted = list(free)
    for index in capped_items:
        bucket = assigned[index]
        if bucket >= 0:
            counted[bucket] += counted_of[index]
    parts = list(zip(range(len(items)), assigned, counted_of, strict=True))
    if 0 in counted_of:  # an item that counts nothing has no part
        parts = [part for part in parts if part[2] > 0]
    return settled(problem, parts, counted, sum(counted_of), method)


def _summarise(problem: AllocationProblem, assigned: list[int], counted_of: list[int], method: str) -> Allocation:
    counted = [0] * len(problem.required)
    parts = []
    total_counted = 0
    for index, ticks in enumerate(counted_of):
        if ticks <= 0:
            continue
        bucket = assigned[index]
        if bucket >= 0:
            counted[bucket] += ticks
        parts.append((index, bucket, ticks))
        total_counted += ticks
    return settled(problem, parts, counted, total_counted, method)


# --- the general fallback ------------------------------------------------------------------------------------


def _allocate_milp(problem: AllocationProblem, items: list[Item]) -> Allocation:
    """A mixed-integer program for what the fast path does not cover; SciPy is imported only here."""
    import numpy as np
    from scipy.optimize import Bounds, LinearConstraint, milp

    buckets = len(problem.required)
    pairs = [(i, b) for i, item in enumerate(items) for b in item[4]]
    totals = [i for i, item in enumerate(items) if not item[4]]
    n_pairs = len(pairs)
    # variables: x (assignment) per pair, y (counted ticks) per pair, t per total-only item, s per bucket, h
    n_x, n_y, n_t = n_pairs, n_pairs, len(totals)
    offset_y, offset_t = n_x, n_x + n_y
    offset_s = offset_t + n_t
    h = offset_s + buckets
    size = h + 1
    rows: list[np.ndarray] = []
    lower: list[float] = []
    upper: list[float] = []

    def row() -> np.ndarray:
        return np.zeros(size)

    for i, item in enumerate(items):
        own = [k for k, (j, _) in enumerate(pairs) if j == i]
        if not own:
            continue
        r = row()
        if problem.splitting:
            for k in own:
                r[offset_y + k] = 1.0
            rows.append(r)
            lower.append(-np.inf)
            upper.append(float(item[2]))
        else:
            for k in own:
                r[k] = 1.0
            rows.append(r)
            lower.append(-np.inf)
            upper.append(1.0)
            for k in own:
                link = row()
                link[offset_y + k] = 1.0
                link[k] = -float(item[2])
                rows.append(link)
                lower.append(-np.inf)
                upper.append(0.0)
    for cap, limit in enumerate(problem.cap_limits):
        r = row()
        for k, (i, _) in enumerate(pairs):
            if cap in items[i][5]:
                r[offset_y + k] = 1.0
        for k, i in enumerate(totals):
            if cap in items[i][5]:
                r[offset_t + k] = 1.0
        rows.append(r)
        lower.append(-np.inf)
        upper.append(float(limit))
    for b in range(buckets):
        r = row()
        r[offset_s + b] = 1.0
        for k, (_, bucket) in enumerate(pairs):
            if bucket == b:
                r[offset_y + k] = 1.0
        rows.append(r)
        lower.append(float(problem.required[b]))
        upper.append(np.inf)
    r = row()
    r[h] = 1.0
    r[offset_s : offset_s + buckets] = -1.0
    rows.append(r)
    lower.append(0.0)
    upper.append(np.inf)
    if problem.total_required is not None:
        r = row()
        r[h] = 1.0
        r[offset_y:offset_s] = 1.0
        rows.append(r)
        lower.append(float(problem.total_required))
        upper.append(np.inf)
    # minimise h; among equals prefer counting more (a tie-break far below one tick)
    cost = np.zeros(size)
    cost[h] = 1.0
    weight = 1.0 / (4.0 * (1 + sum(item[2] for item in items)))
    cost[offset_y:offset_s] = -weight
    ub = np.full(size, np.inf)
    ub[:n_x] = 1.0
    for k, (i, _) in enumerate(pairs):
        ub[offset_y + k] = items[i][2]
    for k, i in enumerate(totals):
        ub[offset_t + k] = items[i][2]
    integrality = np.zeros(size)
    if not problem.splitting:
        integrality[:n_x] = 1
    result = milp(
        cost,
        constraints=LinearConstraint(np.array(rows), np.array(lower), np.array(upper)) if rows else None,
        integrality=integrality,
        bounds=Bounds(np.zeros(size), ub),
    )
    if result.x is None:  # pragma: no cover - the program is always feasible (all zero)
        raise RuntimeError(f"the allocation solver failed: {result.message}")
    x = result.x
    assigned = [-1] * len(items)
    counted_of = [0] * len(items)
    parts_split: list[Part] = []
    for k, (i, b) in enumerate(pairs):
        ticks = round(x[offset_y + k])
        if problem.splitting:
            if ticks > 0:
                parts_split.append((i, b, ticks))
        elif x[k] > 0.5:
            assigned[i] = b
            counted_of[i] = ticks
    for k, i in enumerate(totals):
        counted_of[i] = round(x[offset_t + k])
    if not problem.splitting:
        return _summarise(problem, assigned, counted_of, "milp")
    counted = [0] * buckets
    for _, bucket, ticks in parts_split:
        counted[bucket] += ticks
    parts_split += [(i, -1, counted_of[i]) for i in totals if counted_of[i] > 0]
    total_counted = sum(p[2] for p in parts_split)
    shortfall = sum(max(0, r - c) for r, c in zip(problem.required, counted, strict=True))
    total_shortfall = max(0, problem.total_required - total_counted) if problem.total_required is not None else 0
    parts_split.sort()
    return Allocation(parts_split, counted, total_counted, shortfall, total_shortfall, "milp")
