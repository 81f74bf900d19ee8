"""Which limit cut a record in a nested program (a requirement's maximum, a cap), said as people read it."""

from __future__ import annotations

from certcredit.engine.allocate import Allocation
from certcredit.engine.nested import NestedItem, ancestors
from certcredit.rules.compiled import Rulebook


def limit_names(book: Rulebook, items: list[NestedItem], allocation: Allocation) -> dict[int, tuple[str, ...]]:
    """Per item key: the limits (a requirement's maximum, a cap) that stopped it counting in full."""
    nesting = book.nesting
    assert nesting is not None
    buckets = len(book.buckets)
    root = buckets
    by_key = {item.key: item for item in items}
    counted_at: dict[int, int] = {}
    node_of: dict[int, int] = {}
    for key, bucket, ticks in allocation.parts:
        counted_at[key] = counted_at.get(key, 0) + ticks
        node_of[key] = root if bucket < 0 else bucket

    def up(node: int) -> list[int]:
        return [*ancestors(nesting, node), root] if node < root else [root]

    node_total = [0] * (buckets + 1)
    cap_used = [0] * len(book.caps)
    for key, node in node_of.items():
        for above in up(node):
            node_total[above] += counted_at[key]
        for c, cap in enumerate(book.caps):
            scope = root if cap.within is None else cap.within
            if by_key[key].fmt in cap.formats and scope in up(node):
                cap_used[c] += counted_at[key]

    def binding(node: int, fmt: str) -> list[str]:
        found = [
            book.buckets[n].id
            for n in up(node)
            if n < root and nesting.maxima[n] is not None and node_total[n] >= (nesting.maxima[n] or 0)
        ]
        for c, cap in enumerate(book.caps):
            scope = root if cap.within is None else cap.within
            if fmt in cap.formats and scope in up(node) and cap_used[c] >= cap.limit:
                found.append(cap.id)
        return found

    cut: dict[int, tuple[str, ...]] = {}
    for key, item in by_key.items():
        if counted_at.get(key, 0) >= item.ticks:
            continue
        if key in node_of:
            names = binding(node_of[key], item.fmt)
        else:
            names = []
            for option in item.options:
                names += [n for n in binding(root if option < 0 else option, item.fmt) if n not in names]
        if names:
            cut[key] = tuple(dict.fromkeys(names))
    return cut


def limit_text(book: Rulebook, ident: str) -> str:
    """A limit as people read it: ``giving_back (at most 25.00 PDUs)``, ``self_study (at most 3.00 hours of
    self_study, recorded)``."""
    nesting = book.nesting
    many = nesting.unit[1] if nesting is not None and nesting.unit else "hours"
    for index, bucket in enumerate(book.buckets):
        if bucket.id == ident and nesting is not None and nesting.maxima[index] is not None:
            return f"{ident} (at most {book.hours(nesting.maxima[index] or 0):.2f} {many})"
    for cap in book.caps:
        if cap.id == ident:
            formats = ", ".join(sorted(cap.formats))
            where = f" toward {book.buckets[cap.within].id}" if cap.within is not None else ""
            return f"{ident} (at most {book.hours(cap.limit):.2f} {many} of {formats}{where})"
    return ident
