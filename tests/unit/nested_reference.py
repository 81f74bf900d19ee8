"""A brute-force reference for small people of the peer programs, written from the domain notes, not the rulebooks.

It shares nothing with ``certcredit.engine`` or ``certcredit.rules`` but the record shape. Records are in whole
hours and all fall in the cycle (no carry-over), so rounding and windows play no part: what is checked is the
allocation. Every assignment of records to the requirements they may serve is tried; for each, the hours that
count are worked out (PMI and SHRM: each maximum cuts what is inside it, and since no minimum sits inside a capped
group, where it cuts does not matter; Texas: every way of counting the self-study records' hours is tried), and
the hours still needed follow from the tree of minimums: a requirement needs the larger of its own shortfall and
what the requirements within it need together, since a new hour counts for its requirement and every one above.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass


@dataclass(frozen=True)
class Node:
    name: str
    minimum: int = 0
    maximum: int | None = None
    children: tuple[Node, ...] = ()


@dataclass(frozen=True)
class Small:
    """A record in whole hours: its activity and whether it is self-study."""

    hours: int
    activity: str
    self_study: bool = False


PMI_TREE = Node(
    "total",
    60,
    None,
    (
        Node(
            "education",
            35,
            None,
            (Node("ways_of_working", 8), Node("power_skills", 8), Node("business_acumen", 8)),
        ),
        Node("giving_back", 0, 25, (Node("work_as_practitioner", 0, 8),)),
    ),
)
PMI_HOME = {a: (a,) for a in ("ways_of_working", "power_skills", "business_acumen", "giving_back")}
PMI_HOME["work_as_practitioner"] = ("work_as_practitioner",)

SHRM_TREE = Node(
    "total",
    60,
    None,
    (
        Node("education", 0, None, (Node("ungraded_course", 0, 10),)),
        Node("organization", 0, 30),
        Node("profession", 0, 30, (Node("presentation", 0, 20), Node("blog_post", 0, 6))),
    ),
)
SHRM_HOME = {a: (a,) for a in ("education", "ungraded_course", "organization", "profession", "presentation")}
SHRM_HOME["blog_post"] = ("blog_post",)

TX_TREE = Node("total", 15, None, (Node("ethics", 3),))
#: an ethics hour may count as ethics or toward the total directly; general hours only toward the total
TX_HOME = {"general": ("total",), "ethics": ("ethics", "total")}


def _need(node: Node, counted: dict[str, int]) -> int:
    inner = sum(_need(child, counted) for child in node.children)
    return max(node.minimum - counted[node.name], inner)


def _count(node: Node, direct: dict[str, int]) -> dict[str, int]:
    """Hours counted per requirement when each maximum cuts the hours inside it (no minimum sits under a cap)."""
    counted: dict[str, int] = {}

    def walk(n: Node) -> int:
        amount = direct.get(n.name, 0) + sum(walk(child) for child in n.children)
        if n.maximum is not None:
            amount = min(amount, n.maximum)
        counted[n.name] = amount
        return amount

    walk(node)
    return counted


def needed_tree(tree: Node, home: dict[str, tuple[str, ...]], records: list[Small]) -> int:
    """PMI and SHRM: the fewest hours still needed over every assignment."""
    choices = [home[r.activity] for r in records]
    best: int | None = None
    for assignment in itertools.product(*choices):
        direct: dict[str, int] = {}
        for record, place in zip(records, assignment, strict=True):
            direct[place] = direct.get(place, 0) + record.hours
        value = _need(tree, _count(tree, direct))
        best = value if best is None else min(best, value)
    return best if best is not None else _need(tree, _count(tree, {}))


def needed_texas(records: list[Small]) -> int:
    """Texas: self-study counts at most 3 hours in all and at most 1 toward ethics; every split is tried."""
    choices = [TX_HOME[r.activity] for r in records]
    best: int | None = None
    for assignment in itertools.product(*choices):
        amounts = [range(r.hours + 1) if r.self_study else (r.hours,) for r in records]
        for counts in itertools.product(*amounts):
            self_study = sum(c for r, c in zip(records, counts, strict=True) if r.self_study)
            ethics_self_study = sum(
                c for r, c, a in zip(records, counts, assignment, strict=True) if r.self_study and a == "ethics"
            )
            if self_study > 3 or ethics_self_study > 1:
                continue
            ethics = sum(c for c, a in zip(counts, assignment, strict=True) if a == "ethics")
            counted = {"ethics": ethics, "total": sum(counts)}
            value = _need(TX_TREE, counted)
            best = value if best is None else min(best, value)
    assert best is not None
    return best
