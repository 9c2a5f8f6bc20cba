"""Playbooks: versioned YAML saying, per stage and risk segment, which contact to make on which day.

A playbook is data an operator edits, so it is validated as a whole before
it is used: an invalid one is refused with the line at fault (``PlaybookError``),
never half-applied. The WhatsApp templates it names come from a separate file
(``playbooks/templates.yml``): they are approved once in Twilio and shared.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from cobranza.core import yamlfile
from cobranza.core.settings import ROOT
from cobranza.core.vocabulary import CONSENT_CHANNELS, SEGMENTS, STAGES, Channel, ObjectionType, values
from cobranza.core.yamlfile import ConfigError, Node

DEFAULT_DIR = ROOT / "playbooks"
STEP_CHANNELS = tuple(values([Channel.WHATSAPP, Channel.VOICE, Channel.EMAIL, Channel.AGENT]))
TONES = ("cordial", "firm", "formal")  # never threatening: there is no such tone
EMAIL_TEMPLATES = ("statement", "invoice_copy")
VOICE_TEMPLATES = ("reminder_call",)
AGENT_TEMPLATES = ("review",)
# The objections a playbook may stop collection on (``rules.stop_on``, the one list of what stops it): every
# type but a missing invoice (it is re-sent instead) and cash-flow trouble (the debtor is asked for a date).
STOPPABLE = tuple(
    values(
        [
            ObjectionType.DISPUTE,
            ObjectionType.BILLING_ERROR,
            ObjectionType.ALREADY_PAID,
            ObjectionType.PENDING_APPROVAL,
            ObjectionType.WRONG_CONTACT,
            ObjectionType.OTHER,
        ]
    )
)


class PlaybookError(ConfigError):
    """An invalid playbook: what is wrong and where (1-based line)."""


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


MOMENTS = ("before", "today", "after")  # when a reminder template's wording is true, against the due date


def moment(dpd: int) -> str:
    """Which of ``MOMENTS`` a day ``dpd`` days past due is."""
    return "before" if dpd < 0 else "today" if dpd == 0 else "after"


@dataclass(frozen=True)
class Wording:
    sid: str  # the approved template's ContentSid
    text: str


@dataclass(frozen=True)
class Template:
    name: str
    tone: str
    sids: dict[str, str]  # language -> ContentSid
    texts: dict[str, str]
    when: str = "after"  # one of MOMENTS: "hoy vence" is only true on the due date
    many: dict[str, Wording] = field(default_factory=dict)  # language -> the wording for several invoices

    def wording(self, language: str, invoices: int) -> Wording:
        """The approved wording for one invoice or, when there is one, for several (a plural, not "la factura A, B")."""
        if invoices > 1 and language in self.many:
            return self.many[language]
        return Wording(self.sids[language], self.texts[language])


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

    def fitting(self, name: str, dpd: int) -> Template:
        """The template ``name`` if its wording is true ``dpd`` days past due, else one of the same tone that is.

        A step sent late (a contact window, a frequency cap, an invoice loaded after its due date) must not
        tell the debtor "today it is due" two days later.
        """
        chosen = self.templates[name]
        now = moment(dpd)
        if chosen.when == now:
            return chosen
        true_now = [t for t in self.templates.values() if t.when == now]
        return next((t for t in true_now if t.tone == chosen.tone), true_now[0] if true_now else chosen)

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


def load_templates(text: str, source: str = "templates.yml") -> dict[str, Template]:
    root = yamlfile.parse(text, source, PlaybookError).mapping()
    found = {}
    for name in root.data:
        node = root.need(str(name))
        node.mapping(("tone", "when", "es", "en"))
        tone = node.choice("tone", TONES)
        when = node.choice("when", MOMENTS)
        sids, texts, many = {}, {}, {}
        for language in ("es", "en"):
            version = node.need(language)
            version.mapping(("sid", "text", "many"))
            sids[language], texts[language] = version.text("sid"), version.text("text")
            if "many" in version.data:
                plural = version.need("many")
                plural.mapping(("sid", "text"))
                many[language] = Wording(plural.text("sid"), plural.text("text"))
        found[str(name)] = Template(str(name), tone, sids, texts, when, many)
    return found


def parse(text: str, templates: dict[str, Template], source: str = "playbook") -> Playbook:
    """Validate a playbook's text as a whole; the first problem is refused with its line."""
    root = yamlfile.parse(text, source, PlaybookError).mapping(
        ("name", "version", "stages", "segments", "rules", "steps")
    )
    name = root.text("name")
    version = root.integer("version", 1)
    stages = root.need("stages")
    stages.mapping(("preventive_days_before", "early_reactive_from", "late_reactive_from"))
    before = stages.integer("preventive_days_before", 0, 60)
    early = stages.integer("early_reactive_from", 1, 365)
    late = stages.integer("late_reactive_from", 2, 730)
    if late <= early:
        raise PlaybookError(
            "stages.late_reactive_from must be after early_reactive_from", stages.line_of("late_reactive_from"), source
        )
    segments = root.need("segments")
    segments.mapping(("lookback_days", "min_history", "high", "medium"))
    thresholds = {}
    for level in ("high", "medium"):
        node = segments.need(level)
        node.mapping(("late_share", "avg_days_late", "broken_promises"))
        thresholds[level] = {
            "late_share": node.number("late_share", 0, 1),
            "avg_days_late": node.number("avg_days_late", 0, 3650),
            "broken_promises": float(node.integer("broken_promises", 1)),
        }
    rules = root.need("rules")
    rules.mapping(("promise_grace_days", "no_answer_attempts", "escalation", "stop_on", "broken_promise_call"))
    escalation = _names(rules, "escalation", tuple(values(CONSENT_CHANNELS)))
    stop_on = _names(rules, "stop_on", STOPPABLE)
    call_node = rules.need("broken_promise_call")
    if not isinstance(call_node.data, bool):
        raise call_node.fail("must be true or false")
    steps = _steps(root, templates, before, early, late)
    return Playbook(
        name=name,
        version=version,
        preventive_days_before=before,
        early_reactive_from=early,
        late_reactive_from=late,
        lookback_days=segments.integer("lookback_days", 30, 3650),
        min_history=segments.integer("min_history", 0, 1000),
        thresholds=thresholds,
        promise_grace_days=rules.integer("promise_grace_days", 0, 60),
        no_answer_attempts=rules.integer("no_answer_attempts", 1, 20),
        escalation=escalation,
        stop_on=stop_on,
        broken_promise_call=bool(call_node.data),
        steps=steps,
        templates=templates,
    )


def _names(parent: Node, key: str, allowed: tuple[str, ...]) -> tuple[str, ...]:
    node = parent.need(key)
    values = []
    for item in node.items():
        if item.data not in allowed:
            raise item.fail(f"{item.data!r} is not one of: {', '.join(allowed)}")
        if item.data in values:
            raise item.fail(f"{item.data!r} is listed twice")
        values.append(str(item.data))
    return tuple(values)


def _steps(
    root: Node, templates: dict[str, Template], before: int, early: int, late: int
) -> dict[tuple[str, str], tuple[Step, ...]]:
    node = root.need("steps")
    node.mapping(tuple(STAGES))
    ranges = {"preventive": (-before, early - 1), "early_reactive": (early, late - 1), "late_reactive": (late, 10_000)}
    found: dict[tuple[str, str], tuple[Step, ...]] = {}
    for stage in STAGES:
        stage_node = node.need(stage)
        stage_node.mapping(tuple(SEGMENTS))
        for segment in SEGMENTS:
            list_node = stage_node.need(segment)
            steps = [_step(item, templates, ranges[stage], stage) for item in list_node.items()]
            seen: set[str] = set()
            for item, step in zip(list_node.items(), steps, strict=True):
                if step.id in seen:
                    raise item.fail(f"step id {step.id!r} is used twice in {stage}.{segment}")
                seen.add(step.id)
            found[(stage, segment)] = tuple(sorted(steps, key=lambda s: s.day))
    return found


def _step(node: Node, templates: dict[str, Template], span: tuple[int, int], stage: str) -> Step:
    node.mapping(("id", "day", "channel", "template", "tone", "every"))
    step_id = node.text("id")
    day = node.integer("day", -365, 10_000)
    if not span[0] <= day <= span[1]:
        raise node.fail(
            f"day {day} is outside the {stage} stage ({span[0]} to {span[1] if span[1] < 10_000 else 'on'})",
            node.line_of("day"),
        )
    channel = node.choice("channel", STEP_CHANNELS)
    template = node.text("template")
    tone = node.choice("tone", TONES)
    every = node.integer("every", 1, 365, required=False, default=0) or None
    if channel == Channel.WHATSAPP:
        if template not in templates:
            raise node.fail(
                f"WhatsApp template {template!r} is not in the templates file ({', '.join(sorted(templates))})",
                node.line_of("template"),
            )
        if templates[template].tone != tone:
            raise node.fail(
                f"template {template!r} is written {templates[template].tone}, the step says {tone}",
                node.line_of("tone"),
            )
    else:
        allowed = {Channel.EMAIL: EMAIL_TEMPLATES, Channel.VOICE: VOICE_TEMPLATES, Channel.AGENT: AGENT_TEMPLATES}[
            Channel(channel)
        ]
        if template not in allowed:
            raise node.fail(f"{channel} steps use one of: {', '.join(allowed)}", node.line_of("template"))
    if channel == Channel.EMAIL and tone != "formal":
        raise node.fail("e-mail is formal", node.line_of("tone"))
    if day <= 0 and tone == "firm":
        raise node.fail("before the due date the tone is cordial (or formal by e-mail), not firm", node.line_of("tone"))
    return Step(step_id, day, channel, template, tone, every)
