"""The rulebook schema: what a credit program may say, validated once when a YAML file is loaded.

A program is a list of versions, each in force from its ``effective_from`` date. A version names its units,
its window, the minimum record length, the formats that count, its requirement buckets (each with a minimum and
an eligibility selector), an optional total, caps by format group, repeat rules and whether a record may be split.
Nothing in the engine knows CLM: every number and list RULES.md marks as a setting lives here, so another
association's program (PMI PDUs, SHRM PDCs, a state bar's CLE) is a new YAML file, not new code.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from certcredit.values.vocabulary import ACTIVITY_PATTERN, CATEGORIES, FORMATS, SUBJECT_AREAS, TOPICS

Format = Literal["in_person", "live_online", "recorded", "self_study", "teaching"]
Category = Literal[
    "writing",
    "communication",
    "self_management",
    "information_technology",
    "organizational_development",
]
SubjectArea = Literal["HR", "FM", "OM", "LI", "CM"]
Topic = Literal["business_ethics", "substance_abuse"]
#: An activity kind a program declares (PMI's giving_back, SHRM's profession, a bar's ethics): records name it in
#: their ``activity`` key; unlike categories it is the program's own vocabulary, checked against ``activities``.
ActivityId = Annotated[str, Field(pattern=ACTIVITY_PATTERN)]
RequirementId = Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9_]*$")]

assert set(FORMATS) == set(get_args(Format))  # the Literal mirrors the shared vocabulary
assert set(CATEGORIES) == set(get_args(Category))
assert set(SUBJECT_AREAS) == set(get_args(SubjectArea))
assert set(TOPICS) == set(get_args(Topic))


class _Strict(BaseModel):
    """Unknown keys are errors: a misspelt setting must never be silently ignored."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Rounding(_Strict):
    """How a record's minutes become credit: exact, or to a step (quarter hours, a 50-minute hour's fifths)."""

    step_minutes: int = Field(default=1, ge=1, description="credit is a whole number of these minutes")
    mode: Literal["none", "down", "nearest", "up"] = "none"


class Units(_Strict):
    minutes_per_hour: int = Field(default=60, ge=1)
    rounding: Rounding = Rounding()


class Window(_Strict):
    """Which dates count for an as-of date A: from A minus ``months`` (month-end clamped) to A inclusive.

    ``rolling`` is a look-back from a chosen date (the application date); ``cycle`` is a fixed cycle ending on an
    anniversary. ``start`` says whether the first day (A minus ``months``) itself belongs to the window.
    """

    kind: Literal["rolling", "cycle"]
    months: int = Field(ge=1, le=1200)
    start: Literal["inclusive", "exclusive"]


class Selector(_Strict):
    """Which records a requirement accepts.

    A record matches when it carries one of the listed categories, subject areas, topics or activities (any of
    the lists that is given), its format is in ``formats`` when that is given, and, with ``exclude_specialty``,
    its subject area is not the person's own specialty. A record's subject area is its designated one, else its
    category's default; its activity is its own, else the version's ``default_activity``.
    """

    categories: list[Category] = []
    subject_areas: list[SubjectArea] = []
    topics: list[Topic] = []
    activities: list[ActivityId] = []
    formats: list[Format] = []
    exclude_specialty: bool = False

    @model_validator(mode="after")
    def _selects_something(self) -> Selector:
        if not (self.categories or self.subject_areas or self.topics or self.activities):
            raise ValueError("a selector needs at least one of categories, subject_areas, topics or activities")
        return self


class Requirement(_Strict):
    """A bucket with a minimum and/or a maximum (or neither: a category whose hours count toward what it is
    within): records allocated to it count whole (or split, where the version allows it).

    ``within`` nests it inside another requirement (or the total): its hours then also count toward that one, and
    the outer one's ``max_hours`` caps everything inside it (PMI's practitioner hours inside Giving Back). A
    requirement with no ``eligible`` selector only groups the requirements within it. ``per_year`` asks for that
    many hours in each 12-month year of the window, counted back from its end.
    """

    id: str = Field(pattern=r"^[A-Za-z][A-Za-z0-9_]*$")
    name: str
    min_hours: float = Field(default=0, ge=0)
    max_hours: float | None = Field(default=None, ge=0, description="at most this many hours count (partially)")
    per_year: float | None = Field(default=None, gt=0, description="at least this many hours in each year")
    within: RequirementId | None = Field(default=None, description="the requirement (or total) this one is part of")
    eligible: Selector | None = None

    @model_validator(mode="after")
    def _says_something(self) -> Requirement:
        if self.min_hours <= 0 and self.max_hours is None and self.per_year is None and self.eligible is None:
            raise ValueError("a requirement needs min_hours above 0, max_hours, per_year or an eligible selector")
        if self.max_hours is not None and self.max_hours < self.min_hours:
            raise ValueError(f"max_hours {self.max_hours} is below min_hours {self.min_hours}")
        return self


class Total(_Strict):
    """The hours in all: every counted hour counts toward it, whichever bucket it serves."""

    id: str = Field(default="total", pattern=r"^[A-Za-z][A-Za-z0-9_]*$")
    name: str = "Total"
    min_hours: float = Field(gt=0)
    per_year: float | None = Field(default=None, gt=0, description="at least this many hours in each year")
    eligible: Selector | None = Field(
        default=None, description="records that count only toward the total; by default the buckets' records only"
    )


class Cap(_Strict):
    """At most ``max_hours`` from records of these formats, across the whole program (or, with ``within``, among the
    hours counted for that requirement and those nested in it); a record may count in part."""

    id: str = Field(pattern=r"^[A-Za-z][A-Za-z0-9_]*$")
    formats: list[Format] = Field(min_length=1)
    max_hours: float = Field(ge=0)
    within: RequirementId | None = None


class Repeat(_Strict):
    """The same course given again within the window counts once: the earliest counting record is kept.

    It applies to records of the listed formats, and to records of the listed activities (SHRM: a presentation
    counts the first time it is given in a cycle)."""

    formats: list[Format] = []
    activities: list[ActivityId] = []
    same_course: Literal["title"] = "title"
    keep: Literal["earliest"] = "earliest"

    @model_validator(mode="after")
    def _names_records(self) -> Repeat:
        if not (self.formats or self.activities):
            raise ValueError("a repeat rule needs formats or activities")
        return self


class CarryAlso(_Strict):
    """Of the carried hours, up to ``max_hours`` may count for ``requirement`` too (Texas: up to 3 as ethics):
    those the previous cycle had beyond that requirement's own minimum (by the carry-over's reading)."""

    requirement: RequirementId
    max_hours: float = Field(gt=0)


class CarryOver(_Strict):
    """Hours beyond the previous cycle's total carry into this one, up to ``max_hours``, counted for ``into``.

    The previous cycle is the window that ends where this one starts, audited under the version in force for it
    (by the program's anchor): that version's ``carry_over`` decides whether and how much carries, so a cycle that
    ended before a carry-over policy existed carries nothing. Nothing carries unless it was complete.
    ``counts`` says which hours are beyond the total: ``earned`` (every hour that could count, capped or not: SHRM's
    own example carries Profession hours beyond that category's maximum) or ``credited`` (only hours that counted
    after every cap and maximum: the Texas rule carries excess credit). With ``from_last_months``, only hours
    earned (or credited) in that many final months of the previous cycle may carry (PMI).
    """

    max_hours: float = Field(gt=0)
    into: RequirementId
    counts: Literal["earned", "credited"] = Field(
        default="earned", description="which of the previous cycle's hours are beyond its total"
    )
    from_last_months: int | None = Field(default=None, ge=1)
    also: list[CarryAlso] = Field(default=[], description="parts of the carry that may count for a requirement")


class FirstCycle(_Strict):
    """A person's first cycle, when the audit is told the day it began (``--cycle-start``): the window runs from
    that day (minus ``look_back_months``: Texas counts the 12 months before the first compliance year), at most
    ``max_months`` long (Texas: 24), nothing carries into it, and with ``prorate`` the minimums and maximums are
    scaled by the share of the usual window it covers, to the nearest credit step (PMI's shortened first cycle)."""

    max_months: int | None = Field(default=None, ge=1, le=1200)
    look_back_months: int = Field(default=0, ge=0, le=120)
    prorate: bool = False


class Grace(_Strict):
    """Days after the cycle's end in which hours may still be earned for it (SHRM: 60 days since 1 August 2019, with
    a late fee): a record dated in them counts for the ended cycle when that cycle needs it, and then no longer
    counts for the next one."""

    days: int = Field(ge=1, le=366)
    note: str = ""


class Unit(_Strict):
    """What the program calls its credit: ``one`` and ``many`` (PDU / PDUs, PDC / PDCs, hour / hours)."""

    one: str = Field(default="hour", min_length=1)
    many: str = Field(default="hours", min_length=1)


class Specialty(_Strict):
    """A person-level choice (the specialist's own subject area) that selectors may exclude."""

    required: bool = True
    choices: list[SubjectArea] = Field(min_length=1)
    aliases: dict[str, SubjectArea] = {}


class Version(_Strict):
    effective_from: dt.date
    note: str = ""
    units: Units = Units()
    min_record_minutes: int = Field(default=0, ge=0)
    window: Window
    counting_formats: list[Format] = Field(min_length=1)
    splitting: bool = False
    default_subject_areas: dict[Category, SubjectArea] = {}
    specialty: Specialty | None = None
    activities: dict[ActivityId, str] = Field(default={}, description="the activity kinds records may name")
    default_activity: ActivityId | None = None
    requirements: list[Requirement] = Field(min_length=1)
    total: Total | None = None
    caps: list[Cap] = []
    repeats: list[Repeat] = []
    carry_over: CarryOver | None = None
    first_cycle: FirstCycle | None = None
    grace: Grace | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Version:
        ids = [r.id for r in self.requirements] + ([self.total.id] if self.total else [])
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"requirement ids must be unique; repeated: {', '.join(duplicates)}")
        cap_ids = [c.id for c in self.caps]
        if len(set(cap_ids)) != len(cap_ids):
            raise ValueError("cap ids must be unique")
        per_hour = self.units.minutes_per_hour
        amounts = [(f"requirement {r.id}", r.min_hours) for r in self.requirements]
        amounts += [(f"requirement {r.id}", h) for r in self.requirements for h in (r.max_hours, r.per_year) if h]
        amounts += [(f"total {self.total.id}", self.total.min_hours)] if self.total else []
        amounts += [(f"total {self.total.id}", self.total.per_year)] if self.total and self.total.per_year else []
        amounts += [(f"cap {c.id}", c.max_hours) for c in self.caps]
        amounts += [("carry_over", self.carry_over.max_hours)] if self.carry_over else []
        amounts += [("carry_over.also", a.max_hours) for a in (self.carry_over.also if self.carry_over else [])]
        for label, hours in amounts:
            if abs(hours * per_hour - round(hours * per_hour)) > 1e-9:
                raise ValueError(f"{label}: {hours} hours is not a whole number of minutes at {per_hour} a hour")
        uses_specialty = any(r.eligible is not None and r.eligible.exclude_specialty for r in self.requirements)
        if uses_specialty and self.specialty is None:
            raise ValueError("a selector uses exclude_specialty but the version declares no specialty")
        self._check_nesting(ids)
        self._check_activities()
        if self.carry_over is not None:
            if self.carry_over.into not in ids:
                raise ValueError(f"carry_over.into: unknown requirement {self.carry_over.into!r}")
            if self.window.kind != "cycle":
                raise ValueError("carry_over: needs a cycle window (there is no previous cycle to carry from)")
            for index, also in enumerate(self.carry_over.also):
                if also.requirement not in ids:
                    raise ValueError(f"carry_over.also[{index}].requirement: unknown requirement {also.requirement!r}")
                if also.max_hours > self.carry_over.max_hours:
                    raise ValueError(
                        f"carry_over.also[{index}].max_hours: above the carry-over's {self.carry_over.max_hours}"
                    )
        if (self.first_cycle is not None or self.grace is not None) and self.window.kind != "cycle":
            raise ValueError("first_cycle and grace need a cycle window")
        years = [r.id for r in self.requirements if r.per_year] + (
            [self.total.id] if self.total and self.total.per_year else []
        )
        if years and self.first_cycle is not None:
            raise ValueError(
                f"first_cycle cannot be combined with per_year ({', '.join(years)}): a first cycle has no whole years"
            )
        if years and self.window.months % 12:
            raise ValueError(f"per_year ({', '.join(years)}) needs a window of whole years, not {self.window.months}")
        return self

    def _check_nesting(self, ids: list[str]) -> None:
        """``within`` names a known requirement, never itself or one nested in it; a group holds something."""
        parent = {r.id: r.within for r in self.requirements}
        for index, r in enumerate(self.requirements):
            if r.within is not None and r.within not in ids:
                raise ValueError(f"requirements[{index}].within: unknown requirement {r.within!r}")
            seen = {r.id}
            up = r.within
            while up is not None and up in parent:
                if up in seen:
                    raise ValueError(f"requirements[{index}].within: {r.id} ends up within itself")
                seen.add(up)
                up = parent[up]
            if r.eligible is None and not any(other.within == r.id for other in self.requirements):
                raise ValueError(f"requirements[{index}]: {r.id} has no eligible selector and nothing within it")
        for index, c in enumerate(self.caps):
            if c.within is not None and c.within not in ids:
                raise ValueError(f"caps[{index}].within: unknown requirement {c.within!r}")

    def _check_activities(self) -> None:
        """Every activity a selector, repeat rule or default names must be declared in ``activities``."""
        declared = set(self.activities)
        named: list[tuple[str, str]] = []
        for index, r in enumerate(self.requirements):
            named += [
                (f"requirements[{index}].eligible.activities", a) for a in (r.eligible.activities if r.eligible else [])
            ]
        if self.total and self.total.eligible:
            named += [("total.eligible.activities", a) for a in self.total.eligible.activities]
        for index, rep in enumerate(self.repeats):
            named += [(f"repeats[{index}].activities", a) for a in rep.activities]
        if self.default_activity:
            named.append(("default_activity", self.default_activity))
        for where, activity in named:
            if activity not in declared:
                raise ValueError(f"{where}: activity {activity!r} is not declared in activities")


class Program(_Strict):
    """A credit program: its identity and its versions, the newest in force on the anchor date applies."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    name: str
    kind: Literal["credits"] = "credits"
    description: str = ""
    version_anchor: Literal["as_of", "window_start"] = Field(
        default="as_of", description="the date that picks the version: the as-of date, or the window's first day"
    )
    apply_by: bool = Field(default=False, description="report the last date on which the records still complete it")
    unit: Unit | None = Field(default=None, description="the credit's name in every output (default: hours)")
    versions: list[Version] = Field(min_length=1)

    @field_validator("versions")
    @classmethod
    def _ascending(cls, versions: list[Version]) -> list[Version]:
        dates = [v.effective_from for v in versions]
        if dates != sorted(dates) or len(set(dates)) != len(dates):
            raise ValueError("versions must be listed oldest first, each with its own effective_from date")
        return versions

    @model_validator(mode="after")
    def _apply_by_needs_rolling(self) -> Program:
        if self.apply_by and any(v.window.kind != "rolling" for v in self.versions):
            raise ValueError("apply_by needs a rolling window in every version")
        return self
