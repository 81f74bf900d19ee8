"""Credential rulebooks: how a program family's credential runs (anniversaries, cycles, the deadline).

One YAML file per family in this folder (``clm.yaml``), validated by ``CredentialRules``; the dates themselves
are computed by ``certcredit.engine.credential``. Pure: no Django, no store.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from certcredit.rules.load import RulebookError

CREDENTIALS_DIR = Path(__file__).resolve().parent
_MONTH_DAY = re.compile(r"^(\d\d)-(\d\d)$")


class CredentialRules(BaseModel):
    """A family's credential settings (``clm.yaml`` documents each)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    family: str = Field(pattern=r"^[a-z][a-z0-9-]*$")
    name: str
    abbreviation: str
    retired_name: str = ""
    #: a family awarded after an exam names the programs applied with; one awarded otherwise (CLRM: an accepted
    #: paper) names none
    exam_programs: tuple[str, ...] = ()
    recertification_program: str = ""
    anniversaries: tuple[str, ...] = Field((), description="month-day of each anniversary, MM-DD")
    tie: Literal["later", "earlier"] = "later"
    #: months in a cycle; none: the credential is held for good, with no cycle to renew (CLRM)
    cycle_months: int | None = Field(None, gt=0)
    grace_days: int = Field(0, ge=0)
    recertifications_before_retirement: int = Field(0, ge=0)
    reminder_days: tuple[int, ...] = Field(default=(90, 30, 7), description="days before a deadline to remind")
    apply_by_notice_days: int = Field(default=30, ge=0)
    ageing_out_notice_days: int = Field(default=90, ge=0)

    @field_validator("reminder_days")
    @classmethod
    def _positive_days(cls, value: tuple[int, ...]) -> tuple[int, ...]:
        if any(d < 0 for d in value):
            raise ValueError("reminder days are counts of days before the deadline, 0 or more")
        return tuple(sorted(set(value), reverse=True))

    @field_validator("anniversaries")
    @classmethod
    def _month_days(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for text in value:
            match = _MONTH_DAY.match(text)
            if not match or not (1 <= int(match[1]) <= 12 and 1 <= int(match[2]) <= 31):
                raise ValueError(f"anniversary {text!r} is not a month-day MM-DD")
        return value

    @model_validator(mode="after")
    def _cycles_need_anniversaries(self) -> CredentialRules:
        if self.cycle_months is not None and not self.anniversaries:
            raise ValueError("a credential with cycles (cycle_months) needs its anniversaries")
        return self

    @property
    def month_days(self) -> tuple[tuple[int, int], ...]:
        return tuple((int(t[:2]), int(t[3:])) for t in self.anniversaries)


def parse_credential_rules(text: str, source: str) -> CredentialRules:
    """A credential rulebook from YAML text, or ``RulebookError`` naming ``source``, the field and the problem."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise RulebookError([f"{source}: not valid YAML: {error}"]) from None
    try:
        return CredentialRules.model_validate(data)
    except ValidationError as error:
        problems = [
            f"{source}: {'.'.join(str(p) for p in e['loc']) or '(top level)'}: {e['msg']}" for e in error.errors()
        ]
        raise RulebookError(problems) from None


@functools.cache
def credential_rules(family: str) -> CredentialRules:
    """The shipped rules of a family (``clm``); ``KeyError`` for an unknown one."""
    path = CREDENTIALS_DIR / f"{family}.yaml"
    if not re.fullmatch(r"[a-z][a-z0-9-]*", family) or not path.is_file():
        raise KeyError(f"no credential rules for family {family!r}; known: {', '.join(families())}")
    return parse_credential_rules(path.read_text(encoding="utf-8"), path.name)


def families() -> tuple[str, ...]:
    return tuple(sorted(p.stem for p in CREDENTIALS_DIR.glob("*.yaml")))
