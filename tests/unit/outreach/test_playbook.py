"""Playbooks are validated as a whole; an invalid one is refused with the line at fault."""

from __future__ import annotations

from pathlib import Path

import pytest

from cobranza.outreach import playbook
from tests.support import repo_path

STANDARD = repo_path("playbooks", "standard.yml").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def templates() -> dict[str, playbook.Template]:
    return playbook.load_templates(repo_path("playbooks", "templates.yml").read_text(encoding="utf-8"))


def refused(text: str, templates: dict[str, playbook.Template]) -> playbook.PlaybookError:
    with pytest.raises(playbook.PlaybookError) as caught:
        playbook.parse(text, templates, "edited.yml")
    return caught.value


def line_of(text: str, fragment: str, occurrence: int = 1) -> int:
    lines = [i + 1 for i, line in enumerate(text.splitlines()) if fragment in line]
    return lines[occurrence - 1]


def test_the_shipped_playbooks_are_valid() -> None:
    for name in ("standard.yml", "gentle.yml"):
        pb = playbook.load(Path(repo_path("playbooks", name)))
        assert pb.version >= 1 and set(pb.steps) == {
            (st, sg) for st in ("preventive", "early_reactive", "late_reactive") for sg in ("low", "medium", "high")
        }
        assert all(s.tone != "firm" for steps in pb.steps.values() for s in steps if s.day <= 0)


def test_a_step_outside_its_stage_is_refused_with_its_line(templates: dict[str, playbook.Template]) -> None:
    text = STANDARD.replace("{id: early-reminder, day: 16,", "{id: early-reminder, day: 12,", 1)
    error = refused(text, templates)
    assert error.line == line_of(text, "day: 12") and "outside the early_reactive stage" in error.message
    assert str(error).startswith(f"edited.yml:{error.line}:")


@pytest.mark.parametrize(
    ("old", "new", "says"),
    [
        ("tone: cordial}", "tone: threatening}", "'threatening' is not one of"),
        ("template: reminder_due_today,", "template: reminder_unknown,", "not in the templates file"),
        (
            "channel: whatsapp, template: reminder_upcoming, tone: cordial",
            "channel: whatsapp, template: reminder_upcoming, tone: firm",
            "is written cordial",
        ),
        (
            "channel: email, template: statement, tone: formal",
            "channel: email, template: statement, tone: firm",
            "e-mail is formal",
        ),
        ("channel: voice, template: reminder_call", "channel: fax, template: reminder_call", "'fax' is not one of"),
        ("{id: just-overdue,", "{id: due-today,", "used twice"),
        ("  no_answer_attempts: 2", "  no_answer_attempts: many", "must be a whole number"),
        ("  escalation: [whatsapp, voice, email]", "  escalation: [whatsapp, pigeon]", "'pigeon' is not one of"),
        ("  promise_grace_days: 2", "  promise_grace_days: 2\n  grace_typo: 3", "unknown key 'grace_typo'"),
    ],
)
def test_each_kind_of_mistake_names_its_line(
    old: str, new: str, says: str, templates: dict[str, playbook.Template]
) -> None:
    assert old in STANDARD
    text = STANDARD.replace(old, new, 1)
    error = refused(text, templates)
    assert says in error.message
    changed = next(
        i + 1 for i, (a, b) in enumerate(zip([*STANDARD.splitlines(), ""], text.splitlines(), strict=False)) if a != b
    )
    assert error.line in (changed, changed + 1)


def test_missing_sections_and_broken_yaml_are_refused(templates: dict[str, playbook.Template]) -> None:
    missing = refused(STANDARD.replace("  late_reactive_from: 31\n", "", 1), templates)
    assert "missing 'late_reactive_from'" in missing.message and missing.line == line_of(STANDARD, "stages:")
    broken = refused(
        STANDARD.replace("  medium:\n      - {id: upcoming", "  medium:\n      - {id: [upcoming", 1), templates
    )
    assert "not valid YAML" in broken.message and broken.line is not None
    bad_order = refused(STANDARD.replace("late_reactive_from: 31", "late_reactive_from: 10", 1), templates)
    assert "after early_reactive_from" in bad_order.message


def test_a_step_repeating_every_n_days_has_one_key_per_occurrence() -> None:
    step = playbook.Step("late-call", 31, "voice", "reminder_call", "firm", every=10)
    assert step.key_on(30) is None
    assert [step.key_on(d) for d in (31, 40, 41, 55)] == ["late-call#0", "late-call#0", "late-call#1", "late-call#2"]
    assert step.occurrence_day(45) == 41


def test_templates_say_when_their_wording_is_true_and_may_have_a_plural() -> None:
    text = repo_path("playbooks", "templates.yml").read_text(encoding="utf-8")
    shipped = playbook.load_templates(text)
    assert {t.when for t in shipped.values()} == set(playbook.MOMENTS)
    assert all(set(t.many) == {"es", "en"} for t in shipped.values())  # every reminder has a plural wording
    one, many = shipped["reminder_overdue"].wording("es", 1), shipped["reminder_overdue"].wording("es", 2)
    assert "La factura {{3}}" in one.text and "Las facturas {{3}}" in many.text and one.sid != many.sid
    for broken, says in (
        (text.replace("  when: today\n", "", 1), "missing 'when'"),
        (text.replace("when: today", "when: tomorrow", 1), "'tomorrow' is not one of: before, today, after"),
        (text.replace("    many:\n      sid:", "    many:\n      sidd:", 1), "unknown key 'sidd'"),
    ):
        with pytest.raises(playbook.PlaybookError) as caught:
            playbook.load_templates(broken, "templates.yml")
        assert says in str(caught.value)
