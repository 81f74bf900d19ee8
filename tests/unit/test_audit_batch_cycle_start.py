"""``certcredit audit --batch --cycle-start``: every person's first cycle began that day, with the same meaning as
for one person's audit: each batch line is the object the single audit prints (without its outlook)."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from certcredit.cli import _register, app

H = 60
#: (program, as-of date, cycle start, people: each a list of (date, minutes, activity))
CASES = [
    ("tx-mcle", "2026-05-31", "2024-08-01", [
        [("2023-07-31", 5 * H, "general"), ("2023-09-01", 10 * H, "general"), ("2025-01-10", 3 * H, "ethics"),
         ("2026-01-10", 2 * H, "general")],
        [("2025-02-01", 12 * H, "general"), ("2025-03-01", 2 * H, "ethics")],
        [("2023-08-15", 15 * H, "general"), ("2026-05-01", 3 * H, "ethics")],
        [],
    ]),
    ("pmi-pmp-renewal", "2026-06-30", "2024-07-01", [
        [("2024-06-30", 10 * H, "ways_of_working"), ("2024-08-01", 315, "ways_of_working"),
         ("2024-09-01", 315, "power_skills"), ("2024-10-01", 765, "business_acumen"),
         ("2024-11-01", 20 * H, "giving_back")],
        [("2025-01-01", 30 * H, "giving_back"), ("2025-02-01", 6 * H, "power_skills")],
        [("2025-05-05", 45 * H, "ways_of_working")],
    ]),
]  # fmt: skip


def run(*args: str) -> tuple[int, str, str]:
    _register()
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def rows(person: list[tuple[str, int, str]]) -> list[dict[str, object]]:
    return [{"id": f"r{n}", "date": d, "minutes": m, "activity": a} for n, (d, m, a) in enumerate(person)]


def test_batch_and_single_audits_agree_for_several_people_with_a_cycle_start(tmp_path: Path) -> None:
    for program, as_of, start, people in CASES:
        batch = tmp_path / f"{program}.jsonl"
        batch.write_text(
            "".join(json.dumps({"person": f"p{i}", "records": rows(p)}) + "\n" for i, p in enumerate(people))
        )
        code, out, err = run("audit", str(batch), "--batch", "--program", program, "--as-of", as_of,
                             "--cycle-start", start)  # fmt: skip
        assert code == 0, err
        lines = [json.loads(line) for line in out.splitlines()]
        assert [line.pop("person") for line in lines] == [f"p{i}" for i in range(len(people))]
        for i, person in enumerate(people):
            single = tmp_path / f"{program}-{i}.json"
            single.write_text(json.dumps(rows(person)))
            code, out, err = run("audit", str(single), "--program", program, "--as-of", as_of, "--cycle-start", start,
                                 "--format", "json")  # fmt: skip
            assert code == 0, err
            alone = json.loads(out)
            alone.pop("outlook")
            assert lines[i] == alone, (program, i)
            assert alone["first_cycle"] == {"start": start}
        # without the cycle start the first person is audited over a usual cycle: another answer
        code, out, _ = run("audit", str(batch), "--batch", "--program", program, "--as-of", as_of)
        plain = json.loads(out.splitlines()[0])
        plain.pop("person")
        assert code == 0 and plain != lines[0]


def test_batch_refuses_a_cycle_start_for_a_program_without_a_first_cycle_rule_and_an_unreadable_one(
    tmp_path: Path,
) -> None:
    batch = tmp_path / "people.jsonl"
    batch.write_text(json.dumps({"person": "a", "records": []}) + "\n")
    code, out, err = run("audit", str(batch), "--batch", "--program", "clm-recertification", "--as-of", "2026-05-31",
                         "--cycle-start", "2024-08-01")  # fmt: skip
    assert code == 2 and out == ""
    assert "program clm-recertification has no first-cycle rule: leave out --cycle-start" in err
    code, out, err = run("audit", str(batch), "--batch", "--program", "tx-mcle", "--as-of", "2026-05-31",
                         "--cycle-start", "2024-13-01")  # fmt: skip
    assert code == 2 and "unreadable --cycle-start date '2024-13-01'" in err


def test_a_first_cycle_too_long_is_that_line_s_error_in_batch(tmp_path: Path) -> None:
    batch = tmp_path / "people.jsonl"
    batch.write_text(json.dumps({"person": "a", "records": [], "as_of": "2026-05-31"}) + "\n"
                     + json.dumps({"person": "b", "records": [], "as_of": "2028-05-31"}) + "\n")  # fmt: skip
    code, out, err = run("audit", str(batch), "--batch", "--program", "tx-mcle", "--cycle-start", "2025-08-01")
    first, second = (json.loads(line) for line in out.splitlines())
    assert code == 2 and first["person"] == "a" and "error" not in first
    assert second["person"] == "b" and "at most 24 months" in second["error"] and "line 2" in err
