"""Exact allocation for programs beyond CLM's shape: nested requirements with maxima, yearly minimums, scoped caps.

A version with a ``nesting`` (PMI, SHRM, a bar's CLE) is a tree: the total at the root, each requirement inside
another or at the top. A record goes whole to at most one node it is eligible for and counts there and in every
node above it; a node's ``max_hours`` limits what counts in its subtree, a format cap limits what counts from its
formats (in the whole program or inside one node), and any of these may cut a record short (partial counting).

``hours_needed`` keeps SPEC.md's meaning: the fewest new, ideal hours (no cap applies to them, each dated in
whichever year it helps, counting for the node it is placed in and every node above) that complete the program,
over every allocation of the records. That is one small integer program:

* ``x[p]`` in {0, 1} for each (record, eligible node) pair, at most one per record; ``y[p]`` the ticks counted
  for it, ``0 <= y[p] <= ticks * x[p]``;
* ``a[n, year]`` new ticks placed at node ``n`` in a year (one year when no node asks for yearly minimums);
* for every node: its subtree's counted plus new ticks reach its minimum, and in each year its yearly minimum;
  its subtree's counted ticks stay within its maximum; each cap's ticks stay within its limit;
* minimise the new ticks; among equal answers, count as many record ticks as possible (a tie-break far below one
  tick), so nothing that could count is left unused (a record of the grace period after the cycle is the
  exception: it counts only where it saves a new tick);
* then ``prefer_earlier``: where records compete for a limited amount (a maximum, a cap), the earlier record (by
  date, then input order) counts first, among records that could take each other's place.

For ``plan`` the same program gains a binary ``z`` per optional catalogue session (a session's pairs need its
``z``), new hours are fixed at zero, and the sessions' cost is minimised (engine/plan.py). CLM versions enter it
through ``flat_nesting`` (every bucket at the top).

SciPy is imported only when such a program is audited. The solver (HiGHS) is deterministic for equal input.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

from certcredit.engine.allocate import STATS, Allocation, Part
from certcredit.rules.compiled import Nesting, Rulebook


@dataclass(slots=True)
class NestedItem:
    """A record that may count: ``options`` are bucket indices, -1 for the total itself; ``year`` its year in the
    window (0 = the first; -1 for carried hours, which belong to no year)."""

    key: int
    ticks: int
    options: tuple[int, ...]
    fmt: str
    year: int
    #: place in (date, input order): where records compete for a limited amount, the earlier counts first
    rank: int = 0
    #: earned in the grace period after the cycle: counts only where it lowers the hours needed
    grace: bool = False


@dataclass(slots=True)
class NestedResult:
    allocation: Allocation
    #: per bucket, then the total last: counted ticks per year of the window
    by_year: list[list[int]]
    #: with a selection (``plan``): the chosen sessions, and whether the solver proved the choice smallest
    chosen: list[int] | None = None
    proven: bool = True


@dataclass(frozen=True, slots=True)
class Selection:
    """For ``plan``: which items are optional sessions (``session[i]``, -1 for a record one has) and each
    session's cost (1 plus a tie-break far below 1: fewer minutes, then earlier dates)."""

    session: list[int]
    costs: list[float]
    time_limit: float = 30.0


def flat_nesting(book: Rulebook) -> Nesting:
    """A CLM version seen as a tree: every bucket at the top, no maxima, no yearly minimums."""
    count = len(book.buckets)
    return Nesting((-1,) * count, (None,) * count, (None,) * count, None, {}, None, frozenset(), None)


def ancestors(nesting: Nesting, node: int) -> list[int]:
    """``node`` and every bucket it is within, innermost first (-1, the total, is implied and not listed)."""
    chain = []
    while node >= 0:
        chain.append(node)
        node = nesting.parents[node]
    return chain


def allocate_nested(
    book: Rulebook, items: list[NestedItem], years: int, selection: Selection | None = None
) -> NestedResult:
    """The allocation with the fewest new hours needed (module docstring); ``years`` the window's year count.

    With a ``selection`` it answers ``plan`` instead: the cheapest set of optional sessions with which no new
    hour is needed (None chosen when no set does)."""
    import numpy as np
    from scipy.optimize import Bounds, LinearConstraint, milp

    STATS["milp-nested"] += 1
    nesting = book.nesting or flat_nesting(book)
    buckets = len(book.buckets)
    root = buckets  # the total's node index in the program below
    up = [[*ancestors(nesting, b), root] for b in range(buckets)] + [[root]]
    pairs = [(i, root if b < 0 else b) for i, item in enumerate(items) for b in item.options]
    n_pairs = len(pairs)
    year_count = max(1, years)
    nodes = buckets + 1
    offset_y = n_pairs
    offset_a = 2 * n_pairs
    offset_z = offset_a + nodes * year_count
    sessions = 0 if selection is None else len(selection.costs)
    size = offset_z + sessions
    rows: list[np.ndarray] = []
    lower: list[float] = []
    upper: list[float] = []

    def add(row: np.ndarray, lo: float, hi: float) -> None:
        rows.append(row)
        lower.append(lo)
        upper.append(hi)

    owns: list[list[int]] = [[] for _ in items]  # each item's pairs, in order
    for k, (i, _) in enumerate(pairs):
        owns[i].append(k)
    for i, own in enumerate(owns):
        if len(own) > 1:
            r = np.zeros(size)
            r[own] = 1.0
            add(r, -np.inf, 1.0)
        for k in own:
            r = np.zeros(size)
            r[offset_y + k] = 1.0
            r[k] = -float(items[i].ticks)
            add(r, -np.inf, 0.0)
    under = [[k for k, (_, n) in enumerate(pairs) if node in up[n]] for node in range(nodes)]
    minimum = [b.required for b in book.buckets] + [book.total.required if book.total else 0]
    maximum = [*nesting.maxima, None]
    per_year = [*nesting.per_year, nesting.total_per_year]
    new_under = [[m for m in range(nodes) if node in up[m]] for node in range(nodes)]
    for node in range(nodes):
        if maximum[node] is not None:
            r = np.zeros(size)
            r[[offset_y + k for k in under[node]]] = 1.0
            add(r, -np.inf, float(maximum[node] or 0))
        if minimum[node] > 0:
            r = np.zeros(size)
            r[[offset_y + k for k in under[node]]] = 1.0
            for m in new_under[node]:
                r[offset_a + m * year_count : offset_a + (m + 1) * year_count] = 1.0
            add(r, float(minimum[node]), np.inf)
        wanted = per_year[node]
        if wanted:
            for year in range(year_count):
                r = np.zeros(size)
                r[[offset_y + k for k in under[node] if items[pairs[k][0]].year == year]] = 1.0
                for m in new_under[node]:
                    r[offset_a + m * year_count + year] = 1.0
                add(r, float(wanted), np.inf)
    for cap in book.caps:
        scope = root if cap.within is None else cap.within
        chosen = [k for k in under[scope] if items[pairs[k][0]].fmt in cap.formats]
        if chosen:
            r = np.zeros(size)
            r[[offset_y + k for k in chosen]] = 1.0
            add(r, -np.inf, float(cap.limit))
    cost = np.zeros(size)
    ub = np.full(size, np.inf)
    ub[:n_pairs] = 1.0
    for k, (i, _) in enumerate(pairs):
        ub[offset_y + k] = items[i].ticks
    options: dict[str, float] = {"mip_rel_gap": 0.0}
    if selection is None:
        cost[offset_a:] = 1.0
        weight = 1.0 / (4.0 * (1 + sum(item.ticks for item in items)))
        cost[offset_y:offset_a] = -weight
        for k, (i, _) in enumerate(pairs):
            if items[i].grace:  # a grace-period hour is used only where it saves a new hour
                cost[offset_y + k] = weight
    else:
        ub[offset_a:offset_z] = 0.0  # complete with the records and sessions alone
        ub[offset_z:] = 1.0
        cost[offset_z:] = selection.costs
        for k, (i, _) in enumerate(pairs):
            session_index = selection.session[i]
            if session_index >= 0:
                r = np.zeros(size)
                r[k] = 1.0
                r[offset_z + session_index] = -1.0
                add(r, -np.inf, 0.0)
        options["time_limit"] = selection.time_limit
    integrality = np.ones(size)
    result = milp(
        cost,
        constraints=LinearConstraint(np.array(rows), np.array(lower), np.array(upper)) if rows else None,
        integrality=integrality,
        bounds=Bounds(np.zeros(size), ub),
        options=options,
    )
    if result.x is None:
        if selection is not None:  # no set of sessions completes it
            empty = Allocation([], [0] * buckets, 0, 0, 0, "milp-plan")
            return NestedResult(empty, [], None, result.status != 1)
        raise RuntimeError(f"the allocation solver failed: {result.message}")  # pragma: no cover
    x = result.x
    placed: dict[int, tuple[int, int]] = {}  # item index -> (node, ticks)
    for k, (i, node) in enumerate(pairs):
        ticks = round(x[offset_y + k])
        if x[k] > 0.5 and ticks > 0:
            placed[i] = (node, ticks)
    if selection is None:
        placed = prefer_earlier(book, items, placed, up, minimum, maximum, per_year)
    parts: list[Part] = []
    counted = [0] * nodes
    by_year = [[0] * year_count for _ in range(nodes)]
    for i, (node, ticks) in placed.items():
        item = items[i]
        parts.append((item.key, -1 if node == root else node, ticks))
        for above in up[node]:
            counted[above] += ticks
            if item.year >= 0:
                by_year[above][item.year] += ticks
    parts.sort()
    needed = round(sum(x[offset_a:]))
    shortfall = sum(max(0, minimum[b] - counted[b]) for b in range(buckets))
    total_shortfall = max(0, minimum[root] - counted[root])
    allocation = Allocation(parts, counted[:buckets], counted[root], shortfall, total_shortfall, "milp-nested")
    allocation.exact_needed = needed
    if selection is None:
        return NestedResult(allocation, by_year)
    chosen = [s for s in range(sessions) if x[offset_z + s] > 0.5]
    return NestedResult(allocation, by_year, chosen, result.status == 0)


#: more than any count of ticks (a move is never larger than the ticks of the records it is between)
_UNLIMITED = 1 << 62


def prefer_earlier(
    book: Rulebook,
    items: list[NestedItem],
    placed: dict[int, tuple[int, int]],
    up: list[list[int]],
    minimum: list[int],
    maximum: list[int | None],
    per_year: list[int | None],
) -> dict[int, tuple[int, int]]:
    """The same answer with ties settled by the stated rule: where records compete for a limited amount, the
    earlier record (by date, then input order) counts first.

    ``placed`` maps an item's index to its node (the total: ``len(book.buckets)``) and counted ticks. Taking each
    record not counted in full in (date, input order), ticks move to it from the latest record counted, as many as
    every constraint allows without relying on new hours: a maximum or cap over the earlier record (and not over
    the later) keeps its room, a minimum or yearly minimum over the later record (and not over the earlier) keeps
    its surplus. Hours counted, hours needed and every requirement's verdict stay as the solver found them; only
    which record gives them changes. Carried hours (no year) and grace-period records move only among their own."""
    root = len(book.buckets)
    years = 1 + max((item.year for item in items), default=0)
    node_total = [0] * (root + 1)
    by_year = [[0] * years for _ in range(root + 1)]
    cap_scope = [root if cap.within is None else cap.within for cap in book.caps]
    cap_used = [0] * len(book.caps)

    paths = [frozenset(chain) for chain in up]
    known_caps: dict[tuple[str, int], frozenset[int]] = {}

    def caps_of(i: int, node: int) -> frozenset[int]:
        """The caps over item ``i`` counted at ``node`` (by its format; worked out once per format and node)."""
        fmt = items[i].fmt
        found = known_caps.get((fmt, node))
        if found is None:
            found = frozenset(c for c, cap in enumerate(book.caps) if fmt in cap.formats and cap_scope[c] in up[node])
            known_caps[fmt, node] = found
        return found

    def add(i: int, node: int, ticks: int) -> None:
        for above in up[node]:
            node_total[above] += ticks
            if items[i].year >= 0:
                by_year[above][items[i].year] += ticks
        for c in caps_of(i, node):
            cap_used[c] += ticks

    for i, (node, ticks) in placed.items():
        add(i, node, ticks)
    order = sorted((i for i in range(len(items)) if items[i].year >= 0), key=lambda i: (items[i].rank, items[i].key))

    #: per (node of the earlier record, node of the later): the limits a move between them must respect
    plans: dict[tuple[int, int], tuple[list[int], list[int], list[tuple[int, bool]]]] = {}
    moved_caps: dict[tuple[str, int, str, int], list[int]] = {}

    def plan(ni: int, nj: int) -> tuple[list[int], list[int], list[tuple[int, bool]]]:
        """Maxima over ``ni`` only; minimums over ``nj`` only; yearly minimums over ``nj`` (and whether over
        ``ni`` too)."""
        found = plans.get((ni, nj))
        if found is None:
            path_i, path_j = paths[ni], paths[nj]
            maxed = [node for node in path_i - path_j if maximum[node] is not None]
            minned = [node for node in path_j if node not in path_i and minimum[node] > 0]
            yearly = [(node, node in path_i) for node in path_j if per_year[node]]
            found = plans[ni, nj] = (maxed, minned, yearly)
        return found

    def room(i: int, ni: int, j: int, nj: int) -> int:
        """What the limits let move from item j (at nj) to item i (at ni), before the two items' own ticks; only
        its sign matters when it is not positive. It depends on the items only through their formats and years,
        and on the totals so far, so it is kept for an item ``i`` until ticks move."""
        most = _UNLIMITED
        maxed, minned, yearly = plan(ni, nj)
        for node in maxed:
            most = min(most, (maximum[node] or 0) - node_total[node])
        key = (items[i].fmt, ni, items[j].fmt, nj)
        caps = moved_caps.get(key)
        if caps is None:
            caps = moved_caps[key] = sorted(caps_of(i, ni) - caps_of(j, nj))
        for c in caps:
            most = min(most, book.caps[c].limit - cap_used[c])
        if most <= 0:
            return most
        yi, yj = items[i].year, items[j].year
        for node in minned:
            most = min(most, node_total[node] - minimum[node])
        for node, also_i in yearly:
            if not (also_i and yi == yj):
                most = min(most, by_year[node][yj] - (per_year[node] or 0))
        return most

    # the places in ``order`` of the records counted, the only ones that can give ticks to an earlier record: one
    # leaves the list when it has given all its ticks; one that receives ticks is earlier than every later giver
    giving = [q for q, j in enumerate(order) if j in placed]
    for position, i in enumerate(order):
        item = items[i]
        options = [root if b < 0 else b for b in item.options]
        known: dict[tuple[int, int, str, int], int] = {}  # room(i, ...) by what it depends on, until ticks move
        for q in reversed(giving[bisect.bisect_right(giving, position) :]):
            got = placed.get(i)
            if got is not None and got[1] >= item.ticks:
                break
            j = order[q]
            other = items[j]
            if other.grace != item.grace:
                continue
            nj, given = placed[j]
            for ni in [got[0]] if got is not None else options:
                key = (ni, nj, other.fmt, other.year)
                limit = known.get(key)
                if limit is None:
                    limit = known[key] = room(i, ni, j, nj)
                move = min(item.ticks - (0 if got is None else got[1]), given, limit)
                if move <= 0:
                    continue
                add(j, nj, -move)
                add(i, ni, move)
                known.clear()
                placed[i] = (ni, (0 if got is None else got[1]) + move)
                if given > move:
                    placed[j] = (nj, given - move)
                else:
                    del placed[j]
                    giving.remove(q)
                break
    return placed
