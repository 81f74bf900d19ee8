"""The CLRM rulebook file: the shipped settings, version choice by date, and clear errors on bad files."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from certcredit.rules.clrm import ClrmRulebookError, load_clrm_program, parse_clrm_program

SHIPPED = Path(__file__).resolve().parents[2] / "src" / "certcredit" / "rules" / "programs" / "clrm.yaml"


def shipped_data() -> dict[str, Any]:
    data = yaml.safe_load(SHIPPED.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def test_the_shipped_rulebook_has_the_rules_md_settings() -> None:
    program = load_clrm_program()
    assert (program.id, program.kind) == ("clrm", "workflow")
    assert program.academy_ids == ("foundation", "negotiations", "arbitration")
    assert program.academy_name("foundation") == "Foundation of Labor Relations"
    assert program.retake_academy == "foundation"
    assert program.paper_types == ("grievance", "interest")
    assert [(v.effective_from, v.paper_deadline_months) for v in program.versions] == [
        (date(1900, 1, 1), 6),
        (date(2019, 1, 1), 12),
    ]
    assert all(v.prerequisites_same_day is False for v in program.versions)
    assert program.arbitrator_checks.warn_if_covered_by_accepted_paper
    assert program.arbitrator_checks.warn_if_reserved_by_other_candidate


def test_loading_from_a_path_reads_that_file(tmp_path: Path) -> None:
    data = shipped_data()
    data["versions"][1]["paper_deadline_months"] = 18
    path = tmp_path / "clrm.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    assert load_clrm_program(path).versions[1].paper_deadline_months == 18


def test_the_version_is_chosen_by_date_and_the_first_covers_earlier_days() -> None:
    program = load_clrm_program()
    assert program.version_on(date(2018, 12, 31)).paper_deadline_months == 6
    assert program.version_on(date(2019, 1, 1)).paper_deadline_months == 12
    assert program.version_on(date(1800, 1, 1)).paper_deadline_months == 6


def _broken(change: str) -> dict[str, Any]:
    data = shipped_data()
    second = data["versions"][1]
    if change == "retake":
        second["retake_academy"] = "ethics"
        data["versions"][0]["retake_academy"] = "ethics"
    elif change == "order":
        data["versions"].reverse()
    elif change == "ids":
        second["academies"] = [{"id": "foundation", "name": "F"}, {"id": "bargaining", "name": "B"}]
    elif change == "extra":
        data["deadline"] = 12
    elif change == "months":
        second["paper_deadline_months"] = 0
    elif change == "duplicate":
        second["academies"] = [{"id": "foundation", "name": "F"}, {"id": "foundation", "name": "G"}]
    elif change == "kind":
        data["kind"] = "hours"
    return data


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("retake", "retake_academy 'ethics' is not one of the academies"),
        ("order", "oldest first"),
        ("ids", "identifiers are fixed"),
        ("extra", "deadline: Extra inputs are not permitted"),
        ("months", "versions.1.paper_deadline_months"),
        ("duplicate", "academy ids repeat"),
        ("kind", "kind:"),
    ],
)
def test_a_broken_rulebook_is_refused_naming_the_setting(change: str, message: str) -> None:
    with pytest.raises(ClrmRulebookError, match=r"^test\.yaml: ") as caught:
        parse_clrm_program(_broken(change), "test.yaml")
    assert message in str(caught.value)


def test_a_file_that_is_not_yaml_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("id: [clrm\n", encoding="utf-8")
    with pytest.raises(ClrmRulebookError, match="not valid YAML"):
        load_clrm_program(path)
