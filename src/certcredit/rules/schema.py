"""The rulebook schema: what a credit program may say, validated once when a YAML file is loaded.

A program is a list of versions, each in force from its ``effective_from`` date. A version names its units,
its window, the minimum record length, the formats that count, its requirement buckets (each with a minimum and
an eligibility selector), an optional total, caps by format group, repeat rules and whether a record may be split.
Nothing in the engine knows CLM: every number and list RULES.md marks as a setting lives here, so another
association's program (PMI PDUs, SHRM PDCs, a state bar's CLE) is a new YAML file, not new code.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from certcredit.rules.vocabulary import CATEGORIES, FORMATS, SUBJECT_AREAS, TOPICS

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

    A record matches when it carries one of the listed categories, subject areas or topics (any of the three
    lists that is given), its format is in ``formats`` when that is given, and, with ``exclude_specialty``, its
    subject area is not the person's own specialty. A record's subject area is its designated one, else its
    category's default.
    """

    categories: list[Category] = []
    subject_areas: list[SubjectArea] = []
    topics: list[Topic] = []
    formats: list[Format] = []
    exclude_specialty: bool = False

    @model_validator(mode="after")
    def _selects_something(self) -> Selector:
        if not (self.categories or self.subject_areas or self.topics):
            raise ValueError("a selector needs at least one of categories, subject_areas or topics")
        return self


class Requirement(_Strict):
    """A bucket with a minimum: records allocated to it count whole (or split, where the version allows it)."""

    id: str = Field(pattern=r"^[A-Za-z][A-Za-z0-9_]*$")
    name: str
    min_hours: float = Field(gt=0)
    eligible: Selector


class Total(_Strict):
    """The hours in all: every counted hour counts toward it, whichever bucket it serves."""

    id: str = Field(default="total", pattern=r"^[A-Za-z][A-Za-z0-9_]*$")
    name: str = "Total"
    min_hours: float = Field(gt=0)
    eligible: Selector | None = Field(
        default=None, description="records that count only toward the total; by default the buckets' records only"
    )


class Cap(_Strict):
    """At most ``max_hours`` from records of these formats, across the whole program; a record may count in part."""

    id: str = Field(pattern=r"^[A-Za-z][A-Za-z0-9_]*$")
    formats: list[Format] = Field(min_length=1)
    max_hours: float = Field(ge=0)


class Repeat(_Strict):
    """The same course given again within the window counts once: the earliest counting record is kept."""

    formats: list[Format] = Field(min_length=1)
    same_course: Literal["title"] = "title"
    keep: Literal["earliest"] = "earliest"


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
    requirements: list[Requirement] = Field(min_length=1)
    total: Total | None = None
    caps: list[Cap] = []
    repeats: list[Repeat] = []

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
        amounts += [(f"total {self.total.id}", self.total.min_hours)] if self.total else []
        amounts += [(f"cap {c.id}", c.max_hours) for c in self.caps]
        for label, hours in amounts:
            if abs(hours * per_hour - round(hours * per_hour)) > 1e-9:
                raise ValueError(f"{label}: {hours} hours is not a whole number of minutes at {per_hour} a hour")
        uses_specialty = any(r.eligible.exclude_specialty for r in self.requirements)
        if uses_specialty and self.specialty is None:
            raise ValueError("a selector uses exclude_specialty but the version declares no specialty")
        return self


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
