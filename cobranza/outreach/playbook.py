"""Playbooks: versioned YAML saying, per stage and risk segment, which contact to make on which day.

A playbook is data an operator edits, so it is validated as a whole before
it is used: an invalid one is refused with the line at fault (``PlaybookError``),
never half-applied. The WhatsApp templates it names come from a separate file
(``playbooks/templates.yml``): they are approved once in Twilio and shared.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from cobranza.core.settings import ROOT
from cobranza.core.vocabulary import SEGMENTS, STAGES

DEFAULT_DIR = ROOT / "playbooks"
STEP_CHANNELS = ("whatsapp", "voice", "email", "agent")
TONES = ("cordial", "firm", "formal")  # never threatening: there is no such tone
EMAIL_TEMPLATES = ("statement", "invoice_copy")
VOICE_TEMPLATES = ("reminder_call",)
AGENT_TEMPLATES = ("review",)
OBJECTION_STOPS = ("dispute", "billing_error", "already_paid", "pending_approval", "wrong_contact", "other")


class PlaybookError(ValueError):
    """An invalid playbook: what is wrong and where (1-based line)."""

    def __init__(self, message: str, line: int | None, source: str = "") -> None:
        self.message, self.line, self.source = message, line, source
        where = f"{source}:" if source else ""
        super().__init__(f"{where}{line}: {message}" if line else f"{where} {message}".strip())


@dataclass(frozen=True)
class Step:
    id: str
    day: int  # days past due (negative: before the due date)
    channel: str
    template: str
    tone: str
    every: int | None = None  # repeat every N days while the stage lasts

    def key_on(self, dpd: int) -> str | None:
        """The occurrence of this step due at ``dpd`` days past due (None: not yet)."""
        if dpd < self.day:
            return None
        if self.every is None:
            return self.id
        return f"{self.id}#{(dpd - self.day) // self.every}"

    def occurrence_day(self, dpd: int) -> int:
        """The day the occurrence due at ``dpd`` started on."""
        if self.every is None or dpd < self.day:
            return self.day
        return self.day + ((dpd - self.day) // self.every) * self.every


@dataclass(frozen=True)
class Template:
    name: str
    tone: str
    sids: dict[str, str]  # language -> ContentSid
    texts: dict[str, str]


@dataclass(frozen=True)
class Playbook:
    name: str
    version: int
    preventive_days_before: int
    early_reactive_from: int
    late_reactive_from: int
    lookback_days: int
    min_history: int
    thresholds: dict[str, dict[str, float]]  # "high"/"medium" -> late_share, avg_days_late, broken_promises
    promise_grace_days: int
    no_answer_attempts: int
    escalation: tuple[str, ...]
    stop_on: tuple[str, ...]
    broken_promise_call: bool
    steps: dict[tuple[str, str], tuple[Step, ...]]  # (stage, segment) -> steps by day
    templates: dict[str, Template] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return f"{self.name}@{self.version}"

    def stage(self, dpd: int) -> str:
        if dpd >= self.late_reactive_from:
            return "late_reactive"
        if dpd >= self.early_reactive_from:
            return "early_reactive"
        return "preventive"


# --- loading ------------------------------------------------------------------------------------

def load(path: Path | str | None = None, templates_path: Path | str | None = None) -> Playbook:
    """Read and validate a playbook file (default: playbooks/standard.yml) and the templates it uses."""
    path = Path(path) if path else DEFAULT_DIR / "standard.yml"
    templates_path = Path(templates_path) if templates_path else path.parent / "templates.yml"
    templates = load_templates(templates_path.read_text(encoding="utf-8"), str(templates_path))
    return parse(path.read_text(encoding="utf-8"), templates, str(path))


def _yaml(text: str, source: str) -> Any:
    try:
        return YAML(typ="rt").load(text)
    except YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise PlaybookError(f"not valid YAML: {getattr(exc, 'problem', exc)}",
                            mark.line + 1 if mark else None, source) from exc


class _Node:
    """A mapping or list from the YAML with the line of each entry, to point at what is wrong."""

    def __init__(self, data: Any, line: int | None, source: str, where: str) -> None:
        self.data, self.line, self.source, self.where = data, line, source, where

    def fail(self, message: str, line: int | None = None) -> PlaybookError:
        return PlaybookError(f"{self.where}: {message}" if self.where else message, line or self.line, self.source)

    def line_of(self, key: Any) -> int | None:
        marks: Any = getattr(self.data, "lc", None)  # ruamel's line and column of each entry
        try:
            if isinstance(self.data, dict):
                return int(marks.key(key)[0]) + 1
            return int(marks.item(key)[0]) + 1
        except (AttributeError, KeyError, IndexError, TypeError):
            return self.line

    def mapping(self, allowed: tuple[str, ...] | None = None) -> _Node:
        if not isinstance(self.data, dict):
            raise self.fail("must be a mapping of names to values")
        if allowed is not None:
            for key in self.data:
                if key not in allowed:
                    raise self.fail(f"unknown key {key!r} (expected one of: {', '.join(allowed)})",
                                    self.line_of(key))
        return self

    def child(self, key: str, required: bool = True) -> _Node | None:
        if key not in self.data:
            if required:
                raise self.fail(f"missing {key!r}")
            return None
        where = f"{self.where}.{key}" if self.where else key
        return _Node(self.data[key], self.line_of(key), self.source, where)

    def items(self) -> list[_Node]:
        if not isinstance(self.data, list):
            raise self.fail("must be a list")
        return [_Node(v, self.line_of(i), self.source, f"{self.where}[{i}]") for i, v in enumerate(self.data)]

    def integer(self, key: str, low: int | None = None, high: int | None = None,
                required: bool = True, default: int | None = None) -> int:
        node = self.child(key, required)
        if node is None:
            assert default is not None
            return default
        value = node.data
        if isinstance(value, bool) or not isinstance(value, int):
            raise node.fail("must be a whole number")
        if (low is not None and value < low) or (high is not None and value > high):
            raise node.fail(f"must be between {low} and {high}" if high is not None else f"must be at least {low}")
        return int(value)

    def number(self, key: str, low: float, high: float) -> float:
        node = self.child(key)
        assert node is not None
        if isinstance(node.data, bool) or not isinstance(node.data, int | float):
            raise node.fail("must be a number")
        if not low <= float(node.data) <= high:
            raise node.fail(f"must be between {low:g} and {high:g}")
        return float(node.data)

    def choice(self, key: str, choices: tuple[str, ...]) -> str:
        node = self.child(key)
        assert node is not None
        if node.data not in choices:
            raise node.fail(f"{node.data!r} is not one of: {', '.join(choices)}")
        return str(node.data)

    def text(self, key: str) -> str:
        node = self.child(key)
        assert node is not None
        if not isinstance(node.data, str) or not node.data.strip():
            raise node.fail("must be a non-empty text")
        return str(node.data).strip()


def load_templates(text: str, source: str = "templates.yml") -> dict[str, Template]:
    root = _Node(_yaml(text, source), 1, source, "").mapping()
    found = {}
    for name in root.data:
        node = root.child(str(name))
        assert node is not None
        node.mapping(("tone", "es", "en"))
        tone = node.choice("tone", TONES)
        sids, texts = {}, {}
        for language in ("es", "en"):
            version = node.child(language)
            assert version is not None
            version.mapping(("sid", "text"))
            sids[language], texts[language] = version.text("sid"), version.text("text")
        found[str(name)] = Template(str(name), tone, sids, texts)
    return found


def parse(text: str, templates: dict[str, Template], source: str = "playbook") -> Playbook:
    """Validate a playbook's text as a whole; the first problem is refused with its line."""
    root = _Node(_yaml(text, source), 1, source, "").mapping(("name", "version", "stages", "segments", "rules",
                                                                 "steps"))
    name = root.text("name")
    version = root.integer("version", 1)
    stages = root.child("stages")
    assert stages is not None
    stages.mapping(("preventive_days_before", "early_reactive_from", "late_reactive_from"))
    before = stages.integer("preventive_days_before", 0, 60)
    early = stages.integer("early_reactive_from", 1, 365)
    late = stages.integer("late_reactive_from", 2, 730)
    if late <= early:
        raise PlaybookError("stages.late_reactive_from must be after early_reactive_from",
                            stages.line_of("late_reactive_from"), source)
    segments = root.child("segments")
    assert segments is not None
    segments.mapping(("lookback_days", "min_history", "high", "medium"))
    thresholds = {}
    for level in ("high", "medium"):
        node = segments.child(level)
        assert node is not None
        node.mapping(("late_share", "avg_days_late", "broken_promises"))
        thresholds[level] = {"late_share": node.number("late_share", 0, 1),
                             "avg_days_late": node.number("avg_days_late", 0, 3650),
                             "broken_promises": float(node.integer("broken_promises", 1))}
    rules = root.child("rules")
    assert rules is not None
    rules.mapping(("promise_grace_days", "no_answer_attempts", "escalation", "stop_on", "broken_promise_call"))
    escalation = _names(rules, "escalation", ("whatsapp", "voice", "email"))
    stop_on = _names(rules, "stop_on", OBJECTION_STOPS)
    call_node = rules.child("broken_promise_call")
    assert call_node is not None
    if not isinstance(call_node.data, bool):
        raise call_node.fail("must be true or false")
    steps = _steps(root, templates, before, early, late)
    return Playbook(
        name=name, version=version, preventive_days_before=before, early_reactive_from=early,
        late_reactive_from=late, lookback_days=segments.integer("lookback_days", 30, 3650),
        min_history=segments.integer("min_history", 0, 1000), thresholds=thresholds,
        promise_grace_days=rules.integer("promise_grace_days", 0, 60),
        no_answer_attempts=rules.integer("no_answer_attempts", 1, 20), escalation=escalation, stop_on=stop_on,
        broken_promise_call=bool(call_node.data), steps=steps, templates=templates,
    )


def _names(parent: _Node, key: str, allowed: tuple[str, ...]) -> tuple[str, ...]:
    node = parent.child(key)
    assert node is not None
    values = []
    for item in node.items():
        if item.data not in allowed:
            raise item.fail(f"{item.data!r} is not one of: {', '.join(allowed)}")
        if item.data in values:
            raise item.fail(f"{item.data!r} is listed twice")
        values.append(str(item.data))
    return tuple(values)


def _steps(root: _Node, templates: dict[str, Template], before: int, early: int,
           late: int) -> dict[tuple[str, str], tuple[Step, ...]]:
    node = root.child("steps")
    assert node is not None
    node.mapping(tuple(STAGES))
    ranges = {"preventive": (-before, early - 1), "early_reactive": (early, late - 1),
              "late_reactive": (late, 10_000)}
    found: dict[tuple[str, str], tuple[Step, ...]] = {}
    for stage in STAGES:
        stage_node = node.child(stage)
        assert stage_node is not None
        stage_node.mapping(tuple(SEGMENTS))
        for segment in SEGMENTS:
            list_node = stage_node.child(segment)
            assert list_node is not None
            steps = [_step(item, templates, ranges[stage], stage) for item in list_node.items()]
            seen: set[str] = set()
            for item, step in zip(list_node.items(), steps, strict=True):
                if step.id in seen:
                    raise item.fail(f"step id {step.id!r} is used twice in {stage}.{segment}")
                seen.add(step.id)
            found[(stage, segment)] = tuple(sorted(steps, key=lambda s: s.day))
    return found


def _step(node: _Node, templates: dict[str, Template], span: tuple[int, int], stage: str) -> Step:
    node.mapping(("id", "day", "channel", "template", "tone", "every"))
    step_id = node.text("id")
    day = node.integer("day", -365, 10_000)
    if not span[0] <= day <= span[1]:
        raise node.fail(f"day {day} is outside the {stage} stage ({span[0]} to "
                        f"{span[1] if span[1] < 10_000 else 'on'})", node.line_of("day"))
    channel = node.choice("channel", STEP_CHANNELS)
    template = node.text("template")
    tone = node.choice("tone", TONES)
    every = node.integer("every", 1, 365, required=False, default=0) or None
    if channel == "whatsapp":
        if template not in templates:
            raise node.fail(f"WhatsApp template {template!r} is not in the templates file "
                            f"({', '.join(sorted(templates))})", node.line_of("template"))
        if templates[template].tone != tone:
            raise node.fail(f"template {template!r} is written {templates[template].tone}, the step says {tone}",
                            node.line_of("tone"))
    else:
        allowed = {"email": EMAIL_TEMPLATES, "voice": VOICE_TEMPLATES, "agent": AGENT_TEMPLATES}[channel]
        if template not in allowed:
            raise node.fail(f"{channel} steps use one of: {', '.join(allowed)}", node.line_of("template"))
    if channel == "email" and tone != "formal":
        raise node.fail("e-mail is formal", node.line_of("tone"))
    if day <= 0 and tone == "firm":
        raise node.fail("before the due date the tone is cordial (or formal by e-mail), not firm",
                        node.line_of("tone"))
    return Step(step_id, day, channel, template, tone, every)
