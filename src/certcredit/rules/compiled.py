"""Rulebooks compiled to plain values: what the engine reads on its hot path (no Pydantic per record).

Hours become integer *ticks* (credit minutes: an hour is ``minutes_per_hour`` ticks), so the allocation works in
exact integers and 80 minutes is never 1.3333 of anything until the report rounds it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Eligibility:
    """What a requirement accepts (see ``schema.Selector`` for the meaning of each field)."""

    categories: frozenset[str]
    subject_areas: frozenset[str]
    topics: frozenset[str]
    formats: frozenset[str]
    exclude_specialty: bool
    activities: frozenset[str] = frozenset()

    def accepts_activity(
        self,
        category: str | None,
        area: str | None,
        topic: str | None,
        activity: str | None,
        fmt: str,
        specialty: str | None,
    ) -> bool:
        """``accepts`` for programs that declare activity kinds: a listed activity also matches."""
        if activity is not None and activity in self.activities:
            if self.formats and fmt not in self.formats:
                return False
            return not (self.exclude_specialty and area is not None and area == specialty)
        return self.accepts(category, area, topic, fmt, specialty)

    def accepts(
        self, category: str | None, area: str | None, topic: str | None, fmt: str, specialty: str | None
    ) -> bool:
        if self.formats and fmt not in self.formats:
            return False
        if self.exclude_specialty and area is not None and area == specialty:
            return False
        return (
            (category is not None and category in self.categories)
            or (area is not None and area in self.subject_areas)
            or (topic is not None and topic in self.topics)
        )


@dataclass(frozen=True, slots=True)
class Bucket:
    """A requirement with its minimum in ticks."""

    id: str
    name: str
    required: int
    eligibility: Eligibility


@dataclass(frozen=True, slots=True)
class CapRule:
    id: str
    formats: frozenset[str]
    limit: int
    #: the bucket whose nested hours it limits (None: the whole program)
    within: int | None = None


@dataclass(frozen=True, slots=True)
class CarryRule:
    """Carry-over from the previous cycle: at most ``limit`` ticks into bucket ``into`` (-1: the total).

    ``credited``: only hours that counted after every cap carry (else every hour earned); ``also``: (requirement id,
    most ticks) that part of the carry may count for as well (Texas: 3 hours as ethics)."""

    limit: int
    into: int
    from_last_months: int | None
    credited: bool = False
    also: tuple[tuple[str, int], ...] = ()
    into_id: str = "total"


@dataclass(frozen=True, slots=True)
class FirstCycleRule:
    """A first cycle begun on a given day: longest window (months), look-back before it, prorated requirements."""

    max_months: int | None
    look_back_months: int
    prorate: bool


@dataclass(frozen=True, slots=True)
class GraceRule:
    days: int
    note: str


@dataclass(frozen=True, slots=True)
class Nesting:
    """What a version adds beyond buckets, a total and format caps (``Rulebook.nesting``; None for CLM)."""

    #: per bucket: the bucket it is within (-1: the total / top level)
    parents: tuple[int, ...]
    #: per bucket: the most ticks that may count for it and everything within it (None: no maximum)
    maxima: tuple[int | None, ...]
    #: per bucket: ticks needed in each year of the window (None: no yearly minimum); and for the total
    per_year: tuple[int | None, ...]
    total_per_year: int | None
    activities: dict[str, str]
    default_activity: str | None
    repeat_activities: frozenset[str]
    carry: CarryRule | None
    first_cycle: FirstCycleRule | None = None
    grace: GraceRule | None = None
    #: the program's credit, singular and plural (PDU, PDUs); None: hours
    unit: tuple[str, str] | None = None


@dataclass(frozen=True, slots=True)
class Rulebook:
    """One version of a program, ready for the engine."""

    program: str
    program_name: str
    effective_from: dt.date
    minutes_per_hour: int
    step_minutes: int
    rounding: str
    min_record_minutes: int
    window_kind: str
    window_months: int
    window_start_inclusive: bool
    counting_formats: frozenset[str]
    splitting: bool
    default_subject_areas: dict[str, str]
    specialty_choices: tuple[str, ...]
    specialty_required: bool
    specialty_aliases: dict[str, str]
    buckets: tuple[Bucket, ...]
    total: Bucket | None
    total_only: Eligibility | None
    caps: tuple[CapRule, ...]
    repeat_formats: frozenset[str]
    apply_by: bool
    #: format -> indices of the caps that cover it (a format may fall under none)
    caps_of_format: dict[str, tuple[int, ...]] = field(default_factory=dict)
    #: nested requirements, maxima, yearly minimums, activities, carry-over: None keeps the fast CLM engine
    nesting: Nesting | None = None

    def hours(self, ticks: int) -> float:
        """Ticks as hours rounded to 4 decimals (SPEC.md)."""
        return round(ticks / self.minutes_per_hour, 4)

    def route(
        self, category: str | None, area: str | None, topic: str | None, fmt: str, specialty: str | None
    ) -> tuple[tuple[int, ...], bool, tuple[int, ...]]:
        """For a record as given (subject area possibly absent): its buckets, whether it counts toward the total,
        and the caps covering its format (``engine.prepared`` works this out once for every kind of record)."""
        options, to_total = self.eligibility(category, self.subject_area_of(category, area), topic, fmt, specialty)
        return options, to_total, self.caps_of_format.get(fmt, ())

    @property
    def label(self) -> str:
        """The ``rules_version`` an audit reports, e.g. ``clm-recertification@1997-01-01``."""
        return f"{self.program}@{self.effective_from.isoformat()}"

    def ticks(self, minutes: int) -> int:
        """A record's credit in ticks after the version's rounding step."""
        step = self.step_minutes
        if step == 1 or self.rounding == "none":
            return minutes
        if self.rounding == "down":
            return minutes // step * step
        if self.rounding == "up":
            return -(-minutes // step) * step
        return (2 * minutes + step) // (2 * step) * step  # nearest, halves up

    def eligibility(
        self, category: str | None, area: str | None, topic: str | None, fmt: str, specialty: str | None
    ) -> tuple[tuple[int, ...], bool]:
        """The buckets a record may serve (in rulebook order) and whether it counts toward the total."""
        options = tuple(
            i for i, b in enumerate(self.buckets) if b.eligibility.accepts(category, area, topic, fmt, specialty)
        )
        to_total = self.total is not None and (
            bool(options)
            or (self.total_only is not None and self.total_only.accepts(category, area, topic, fmt, specialty))
        )
        return options, to_total

    def subject_area_of(self, category: str | None, area: str | None) -> str | None:
        """A record's subject area: its designated one, else its category's default (RULES.md)."""
        if area is not None or category is None:
            return area
        return self.default_subject_areas.get(category)

    def resolve_specialty(self, given: str | None) -> str | None:
        """The specialty as a subject area id, accepting the rulebook's aliases (``finance`` -> ``FM``)."""
        if given is None or given == "":
            if self.specialty_required and self.specialty_choices:
                raise ValueError(
                    f"program {self.program} needs a specialty: one of {', '.join(self.specialty_choices)}"
                )
            return None
        if not self.specialty_choices:
            raise ValueError(f"program {self.program} takes no specialty")
        value = self.specialty_aliases.get(given.strip().lower(), given.strip().upper())
        if value not in self.specialty_choices:
            choices = ", ".join(self.specialty_choices)
            raise ValueError(f"unknown specialty {given!r} for program {self.program}: use one of {choices}")
        return value


@dataclass(frozen=True, slots=True)
class CompiledProgram:
    id: str
    name: str
    kind: str
    version_anchor: str
    apply_by: bool
    versions: tuple[Rulebook, ...]
