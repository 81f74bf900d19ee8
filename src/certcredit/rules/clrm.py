"""The CLRM rulebook as data: its schema, its versions by effective date, and its loader (pure core).

The CLRM is a workflow (academies, then a reviewed paper), not an hours count, so it has its own small schema
rather than the requirement buckets of the CLM programs. Every decision RULES.md marks as a setting lives in
``programs/clrm.yaml``; this module only checks that the file is coherent and picks the version for a date.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

Identifier = str


class ClrmRulebookError(ValueError):
    """The CLRM rulebook file cannot be used; the message names the file and the offending setting."""


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Academy(_Frozen):
    """A core academy: a stable identifier (files and the API use it) and a display name (may change)."""

    id: Identifier = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: str = Field(min_length=1)


class ArbitratorChecks(_Frozen):
    """Which arbitrator selections are flagged to the approver (RULES.md: a warning, not a block)."""

    warn_if_covered_by_accepted_paper: bool = True
    warn_if_reserved_by_other_candidate: bool = True


class ClrmRulesVersion(_Frozen):
    """The CLRM rules in force for candidates whose effective completion date is on or after ``effective_from``."""

    effective_from: date
    paper_deadline_months: int = Field(ge=1, le=120)
    academies: tuple[Academy, ...] = Field(min_length=1)
    retake_academy: Identifier
    paper_types: tuple[Identifier, ...] = Field(min_length=1)
    prerequisites_same_day: bool = False

    @model_validator(mode="after")
    def _academies_are_distinct_and_retake_is_one_of_them(self) -> ClrmRulesVersion:
        ids = [academy.id for academy in self.academies]
        if len(set(ids)) != len(ids):
            raise ValueError(f"academy ids repeat: {ids}")
        if self.retake_academy not in ids:
            raise ValueError(f"retake_academy {self.retake_academy!r} is not one of the academies {ids}")
        if len(set(self.paper_types)) != len(self.paper_types):
            raise ValueError(f"paper_types repeat: {list(self.paper_types)}")
        return self

    @property
    def academy_ids(self) -> tuple[Identifier, ...]:
        return tuple(academy.id for academy in self.academies)


class ClrmReminders(_Frozen):
    """When ``certcredit remind`` writes about the paper deadline: to the candidate at each of ``paper_days``
    before it (the tightest reached), and to staff once it has passed, if it passed at most
    ``passed_notice_days`` ago (a first run does not mail old news)."""

    paper_days: tuple[int, ...] = (90, 30, 7)
    passed_notice_days: int = Field(default=30, ge=0, le=3660)

    @model_validator(mode="after")
    def _days_are_not_negative(self) -> ClrmReminders:
        if any(day < 0 for day in self.paper_days):
            raise ValueError("reminders.paper_days are counts of days before the deadline, 0 or more")
        return self


class ClrmProgram(_Frozen):
    """The whole CLRM rulebook: every version, oldest first."""

    id: Literal["clrm"]
    name: str = Field(min_length=1)
    kind: Literal["workflow"]
    arbitrator_checks: ArbitratorChecks = ArbitratorChecks()
    #: the month and day (MM-DD) the Annual Conference's recognition list closes: papers accepted before it are
    #: honored that year, later ones the next (a placeholder until the association confirms it)
    annual_conference: str = Field("11-30", pattern=r"^(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$")
    reminders: ClrmReminders = ClrmReminders()
    versions: tuple[ClrmRulesVersion, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _versions_are_ordered_and_share_identifiers(self) -> ClrmProgram:
        starts = [version.effective_from for version in self.versions]
        if starts != sorted(set(starts)):
            raise ValueError("versions must be listed oldest first, each with its own effective_from")
        # The completion date is computed before any version can be chosen (the version depends on it), so
        # the academies that make up completion must be the same in every version. Identifiers never change.
        first = self.versions[0]
        for version in self.versions[1:]:
            if version.academy_ids != first.academy_ids or version.retake_academy != first.retake_academy:
                raise ValueError(
                    f"version {version.effective_from} changes the academy ids or the retake academy;"
                    " identifiers are fixed, only display names may change"
                )
        return self

    @property
    def academies(self) -> tuple[Academy, ...]:
        """The core academies in program order, with the newest version's display names."""
        return self.versions[-1].academies

    @property
    def academy_ids(self) -> tuple[Identifier, ...]:
        return self.versions[0].academy_ids

    @property
    def retake_academy(self) -> Identifier:
        return self.versions[0].retake_academy

    @property
    def paper_types(self) -> tuple[Identifier, ...]:
        """Every paper type any version accepts, in first-seen order (events are read before versions apply)."""
        seen: dict[Identifier, None] = {}
        for version in self.versions:
            seen.update(dict.fromkeys(version.paper_types))
        return tuple(seen)

    @property
    def conference_month_day(self) -> tuple[int, int]:
        return int(self.annual_conference[:2]), int(self.annual_conference[3:])

    def academy_name(self, academy_id: Identifier) -> str:
        for academy in self.academies:
            if academy.id == academy_id:
                return academy.name
        raise KeyError(academy_id)

    def version_on(self, day: date) -> ClrmRulesVersion:
        """The version in force for an effective completion date; the first version also covers earlier days."""
        chosen = self.versions[0]
        for version in self.versions:
            if version.effective_from <= day:
                chosen = version
        return chosen

    def version_label(self, version: ClrmRulesVersion) -> str:
        """The ``rules_version`` an audit reports, e.g. ``clrm@2019-01-01``."""
        return f"{self.id}@{version.effective_from.isoformat()}"


def parse_clrm_program(data: Any, source: str = "<clrm rulebook>") -> ClrmProgram:
    """Validate already-loaded YAML data; errors name the source and every bad setting."""
    try:
        return ClrmProgram.model_validate(data)
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in item['loc']) or '(top)'}: {item['msg']}" for item in error.errors()
        )
        raise ClrmRulebookError(f"{source}: {problems}") from None


def load_clrm_program(path: Path | str | None = None) -> ClrmProgram:
    """The CLRM rulebook from ``path``, or the shipped ``programs/clrm.yaml`` when no path is given."""
    if path is None:
        return _shipped_program()
    return _load(Path(path).read_text(encoding="utf-8"), str(path))


@lru_cache(maxsize=1)
def _shipped_program() -> ClrmProgram:
    text = resources.files("certcredit.rules").joinpath("programs", "clrm.yaml").read_text(encoding="utf-8")
    return _load(text, "certcredit/rules/programs/clrm.yaml")


def _load(text: str, source: str) -> ClrmProgram:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise ClrmRulebookError(f"{source}: not valid YAML: {error}") from None
    return parse_clrm_program(data, source)
