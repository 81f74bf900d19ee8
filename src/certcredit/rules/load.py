"""Reading rulebooks: YAML files validated by the schema, with errors that name the file, the path and the problem.

Programs shipped with certcredit live in ``rules/programs/<id>.yaml``. A file whose ``kind`` is not ``credits``
belongs to another module (e.g. ``clrm``): ``program_kind`` reads only that key, so the CLI can route it.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from certcredit.rules.compiled import (
    Bucket,
    CapRule,
    CarryRule,
    CompiledProgram,
    Eligibility,
    FirstCycleRule,
    GraceRule,
    Nesting,
    Rulebook,
)
from certcredit.rules.schema import Program, Selector, Version

PROGRAMS_DIR = Path(__file__).resolve().parent / "programs"


class RulebookError(ValueError):
    """A rulebook that cannot be used; ``problems`` lists each as ``file: path: problem``."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True, slots=True)
class ProgramSummary:
    id: str
    name: str
    kind: str
    versions: tuple[str, ...]
    path: Path


def _path_text(loc: tuple[int | str, ...]) -> str:
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text or "(top level)"


def _read_yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise RulebookError([f"{path}: cannot read the file ({error.strerror})"]) from error
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark is not None else "(unknown place)"
        problem = getattr(error, "problem", None) or str(error)
        raise RulebookError([f"{path}: {where}: not valid YAML ({problem})"]) from error


def parse_program(data: Any, source: str) -> Program:
    """Validate already-read YAML data; ``source`` names the file in errors."""
    if not isinstance(data, dict):
        raise RulebookError([f"{source}: (top level): a rulebook must be a mapping with id, name and versions"])
    try:
        return Program.model_validate(data)
    except ValidationError as error:
        problems = []
        for item in error.errors():
            # model-level checks carry no field path; pydantic prefixes their text with "Value error, ".
            message = str(item["msg"]).removeprefix("Value error, ")
            problems.append(f"{source}: {_path_text(tuple(item['loc']))}: {message}")
        raise RulebookError(problems) from error


def validate_file(path: Path | str) -> Program:
    """The program in a YAML file, or a ``RulebookError`` listing every problem found."""
    path = Path(path)
    return parse_program(_read_yaml(path), str(path))


def program_kind(path: Path | str) -> str:
    """The ``kind`` key of a rulebook file (``credits`` when absent), without validating the rest."""
    data = _read_yaml(Path(path))
    kind = data.get("kind", "credits") if isinstance(data, dict) else "credits"
    return str(kind)


def shipped_path(program_id: str) -> Path:
    return PROGRAMS_DIR / f"{program_id}.yaml"


def shipped_ids() -> list[str]:
    return sorted(p.stem for p in PROGRAMS_DIR.glob("*.yaml"))


def list_programs() -> list[ProgramSummary | RulebookError]:
    """Every shipped rulebook, summarised; a broken or foreign one is reported, not hidden."""
    found: list[ProgramSummary | RulebookError] = []
    for program_id in shipped_ids():
        path = shipped_path(program_id)
        try:
            kind = program_kind(path)
            if kind == "workflow":
                found.append(_workflow_summary(program_id, path))
                continue
            if kind != "credits":
                data = _read_yaml(path)
                found.append(ProgramSummary(program_id, str(data.get("name", program_id)), kind, (), path))
                continue
            program = validate_file(path)
        except RulebookError as error:
            found.append(error)
            continue
        versions = tuple(v.effective_from.isoformat() for v in program.versions)
        found.append(ProgramSummary(program.id, program.name, program.kind, versions, path))
    return found


def _workflow_summary(program_id: str, path: Path) -> ProgramSummary:
    """A workflow rulebook (CLRM) summarised like a credit program: its versions' effective dates."""
    from certcredit.rules.clrm import ClrmRulebookError, load_clrm_program

    try:
        program = load_clrm_program(path)
    except (ClrmRulebookError, OSError) as error:
        raise RulebookError([str(error)]) from None
    versions = tuple(v.effective_from.isoformat() for v in program.versions)
    return ProgramSummary(program_id, program.name, "workflow", versions, path)


@functools.cache
def load_program(program_id: str) -> CompiledProgram:
    """A shipped credit program, validated and compiled once per process."""
    path = shipped_path(program_id)
    if not path.exists():
        known = ", ".join(shipped_ids())
        raise RulebookError([f"unknown program {program_id!r}; known programs: {known}"])
    program = validate_file(path)
    if program.id != program_id:
        raise RulebookError([f"{path}: id: the file is named {program_id}.yaml but its id is {program.id!r}"])
    return compile_program(program)


def _eligibility(selector: Selector) -> Eligibility:
    return Eligibility(
        categories=frozenset(selector.categories),
        subject_areas=frozenset(selector.subject_areas),
        topics=frozenset(selector.topics),
        formats=frozenset(selector.formats),
        exclude_specialty=selector.exclude_specialty,
        activities=frozenset(selector.activities),
    )


def _ticks(hours: float, per_hour: int) -> int:
    return round(hours * per_hour)


def compile_version(program: Program, version: Version) -> Rulebook:
    per_hour = version.units.minutes_per_hour
    never = Eligibility(frozenset(), frozenset(), frozenset(), frozenset(), False)
    buckets = tuple(
        Bucket(r.id, r.name, _ticks(r.min_hours, per_hour), _eligibility(r.eligible) if r.eligible else never)
        for r in version.requirements
    )
    index_of = {r.id: i for i, r in enumerate(version.requirements)}
    total = None
    total_only = None
    if version.total is not None:
        total = Bucket(version.total.id, version.total.name, _ticks(version.total.min_hours, per_hour), never)
        if version.total.eligible is not None:
            total_only = _eligibility(version.total.eligible)
    caps = tuple(
        CapRule(c.id, frozenset(c.formats), _ticks(c.max_hours, per_hour), index_of.get(c.within or ""))
        for c in version.caps
    )
    caps_of_format = {
        fmt: tuple(i for i, cap in enumerate(caps) if fmt in cap.formats) for cap in caps for fmt in cap.formats
    }
    specialty = version.specialty
    return Rulebook(
        program=program.id,
        program_name=program.name,
        effective_from=version.effective_from,
        minutes_per_hour=per_hour,
        step_minutes=version.units.rounding.step_minutes,
        rounding=version.units.rounding.mode,
        min_record_minutes=version.min_record_minutes,
        window_kind=version.window.kind,
        window_months=version.window.months,
        window_start_inclusive=version.window.start == "inclusive",
        counting_formats=frozenset(version.counting_formats),
        splitting=version.splitting,
        default_subject_areas={str(k): str(v) for k, v in version.default_subject_areas.items()},
        specialty_choices=tuple(specialty.choices) if specialty else (),
        specialty_required=specialty.required if specialty else False,
        specialty_aliases={k.lower(): v for k, v in specialty.aliases.items()} if specialty else {},
        buckets=buckets,
        total=total,
        total_only=total_only,
        caps=caps,
        repeat_formats=frozenset(f for r in version.repeats for f in r.formats),
        apply_by=program.apply_by,
        caps_of_format=caps_of_format,
        nesting=_nesting(program, version, index_of, per_hour),
    )


def _nesting(program: Program, version: Version, index_of: dict[str, int], per_hour: int) -> Nesting | None:
    """The extended features of a version, or None when it uses none (then the fast CLM allocator serves it)."""
    uses = (
        version.activities
        or program.unit is not None
        or version.carry_over is not None
        or version.first_cycle is not None
        or version.grace is not None
        or any(
            r.within or r.max_hours is not None or r.per_year or r.eligible is None or r.min_hours <= 0
            for r in version.requirements
        )
        or (version.total is not None and version.total.per_year)
        or any(c.within for c in version.caps)
        or any(r.activities for r in version.repeats)
    )
    if not uses:
        return None

    def ticks(hours: float | None) -> int | None:
        return None if hours is None else _ticks(hours, per_hour)

    carry = None
    if version.carry_over is not None:
        c = version.carry_over
        carry = CarryRule(
            _ticks(c.max_hours, per_hour),
            index_of.get(c.into, -1),
            c.from_last_months,
            credited=c.counts == "credited",
            also=tuple((a.requirement, _ticks(a.max_hours, per_hour)) for a in c.also),
            into_id=c.into,
        )
    first = version.first_cycle
    grace = version.grace
    return Nesting(
        parents=tuple(index_of.get(r.within or "", -1) for r in version.requirements),
        maxima=tuple(ticks(r.max_hours) for r in version.requirements),
        per_year=tuple(ticks(r.per_year) for r in version.requirements),
        total_per_year=ticks(version.total.per_year) if version.total else None,
        activities=dict(version.activities),
        default_activity=version.default_activity,
        repeat_activities=frozenset(a for r in version.repeats for a in r.activities),
        carry=carry,
        first_cycle=FirstCycleRule(first.max_months, first.look_back_months, first.prorate) if first else None,
        grace=GraceRule(grace.days, grace.note) if grace else None,
        unit=(program.unit.one, program.unit.many) if program.unit else None,
    )


def compile_program(program: Program) -> CompiledProgram:
    versions = tuple(compile_version(program, v) for v in program.versions)
    return CompiledProgram(program.id, program.name, program.kind, program.version_anchor, program.apply_by, versions)


def load_program_file(path: Path | str) -> CompiledProgram:
    """A rulebook from any file (tests, a program not yet shipped)."""
    return compile_program(validate_file(path))
