"""Rulebooks: the shipped programs validate, and a broken file's errors name the file, the path and the problem."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from certcredit.cli import _register, app
from certcredit.rules.load import RulebookError, list_programs, load_program, validate_file

GOOD = """
id: demo
name: Demo
versions:
  - effective_from: 2020-01-01
    units: {minutes_per_hour: 50, rounding: {step_minutes: 25, mode: down}}
    min_record_minutes: 50
    window: {kind: rolling, months: 36, start: inclusive}
    counting_formats: [in_person, self_study]
    requirements:
      - {id: ethics, name: Ethics, min_hours: 4, eligible: {topics: [business_ethics]}}
    total: {min_hours: 25, eligible: {subject_areas: [HR, FM, OM, LI, CM]}}
    caps:
      - {id: self_study, formats: [self_study], max_hours: 12.5}
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "demo.yaml"
    path.write_text(text)
    return path


def problems(path: Path) -> list[str]:
    with pytest.raises(RulebookError) as caught:
        validate_file(path)
    return caught.value.problems


def test_the_three_shipped_programs_validate_and_are_listed() -> None:
    listed = {p.id for p in list_programs() if not isinstance(p, RulebookError)}
    assert {"clm-application", "clm-application-specialist", "clm-recertification"} <= listed
    assert load_program("clm-recertification").versions[0].caps_of_format["teaching"] == (1,)


def test_a_program_with_a_50_minute_hour_and_half_credit_steps_validates(tmp_path: Path) -> None:
    program = validate_file(write(tmp_path, GOOD))
    assert program.versions[0].units.minutes_per_hour == 50


def test_an_unknown_key_is_named_with_its_path(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD.replace("max_hours: 12.5", "max_hours: 12.5, maximum: 3"))
    assert problems(path) == [f"{path}: versions[0].caps[0].maximum: Extra inputs are not permitted"]


def test_an_unknown_format_is_named_with_its_path(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD.replace("counting_formats: [in_person, self_study]", "counting_formats: [webinar]"))
    (problem,) = problems(path)
    assert problem.startswith(f"{path}: versions[0].counting_formats[0]: Input should be 'in_person'")


def test_hours_that_are_not_whole_minutes_are_refused(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD.replace("min_hours: 4,", "min_hours: 4.01,"))
    (problem,) = problems(path)
    expected = "versions[0]: requirement ethics: 4.01 hours is not a whole number of minutes at 50 a hour"
    assert problem == f"{path}: {expected}"


def test_versions_out_of_order_are_refused(tmp_path: Path) -> None:
    second = GOOD.split("versions:\n")[1].replace("2020-01-01", "2019-01-01")
    path = write(tmp_path, GOOD + second)
    (problem,) = problems(path)
    assert problem.startswith(f"{path}: versions: ") and "oldest first" in problem


def test_a_selector_that_selects_nothing_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD.replace("eligible: {topics: [business_ethics]}", "eligible: {formats: [in_person]}"))
    (problem,) = problems(path)
    assert problem.startswith(f"{path}: versions[0].requirements[0].eligible: a selector needs")


def test_excluding_the_specialty_needs_a_declared_specialty(tmp_path: Path) -> None:
    selector = "{topics: [business_ethics], exclude_specialty: true}"
    path = write(tmp_path, GOOD.replace("{topics: [business_ethics]}", selector))
    (problem,) = problems(path)
    assert "declares no specialty" in problem


def test_broken_yaml_names_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, "id: demo\nversions: [\n  - a: b\n")
    (problem,) = problems(path)
    assert problem.startswith(f"{path}: line ") and "not valid YAML" in problem


def test_rules_validate_prints_every_problem_and_exits_2(tmp_path: Path) -> None:
    _register()
    path = write(tmp_path, GOOD.replace("months: 36", "months: 0").replace("max_hours: 12.5", "max_hours: -1"))
    result = CliRunner().invoke(app, ["rules", "validate", str(path)])
    assert result.exit_code == 2
    assert f"{path}: versions[0].window.months: Input should be greater than or equal to 1" in result.stderr
    assert f"{path}: versions[0].caps[0].max_hours: Input should be greater than or equal to 0" in result.stderr


def test_rules_validate_accepts_a_shipped_program() -> None:
    _register()
    path = Path(__file__).resolve().parents[2] / "src/certcredit/rules/programs/clm-recertification.yaml"
    result = CliRunner().invoke(app, ["rules", "validate", str(path)])
    assert result.exit_code == 0
    assert "ok: program clm-recertification" in result.stdout


def test_rules_list_shows_each_program_with_its_versions() -> None:
    _register()
    result = CliRunner().invoke(app, ["rules", "list"])
    assert result.exit_code == 0
    assert "clm-application-specialist" in result.stdout
    assert "versions from: 1997-01-01" in result.stdout
