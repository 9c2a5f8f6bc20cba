"""The case's history as HTML, written in one pass: a debtor may have thousands of events, and a
template loop spends more time looking attributes up than the database spends finding the rows.

Everything is shown in words in the agent's language: who spoke, on which channel, what kind of event,
what the assistant understood; times in the debtor's time zone, a line per day."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, date, datetime, tzinfo
from html import escape
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from markupsafe import Markup

from cobranza.core import locales
from cobranza.outreach import metrics
from cobranza.outreach.metrics import FamilyMetrics
from inbox.i18n import WORDS, t

# Where an event sits in the conversation: the debtor's side, ours, a note of the team, or a line between.
_NOTES = frozenset({"agent_note", "call_logged"})
_PLAIN_MESSAGES = frozenset({"whatsapp_in", "whatsapp_reply", "whatsapp_agent", "voice_in", "voice_out"})
HANDOFF_THRESHOLD = 0.6  # the conflict score at which the assistant hands the conversation to people
_CLIP = (
    '<svg class="icon" viewBox="0 0 24 24" width="14" height="14" fill="none" stroke="currentColor" stroke-width="2" '
    'aria-hidden="true"><path d="m21.4 11.1-9.2 9.2a6 6 0 0 1-8.5-8.5l9.2-9.2a4 4 0 0 1 5.7 5.7l-9.2 9.2a2 2 0 0 1'
    '-2.8-2.8l8.5-8.5"/></svg>'
)


def zone(name: str | None) -> tzinfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def who(actor: str | None, language: str, names: dict[str, str], contact: str | None = None) -> str:
    """An event's actor in words: the contact's or agent's name, "Asistente", "Sistema"..."""
    if actor == "debtor":
        return contact or t("actor:debtor", language)
    if actor and actor.startswith("agent:"):
        email = actor[len("agent:") :]
        return names.get(email, email)
    if not actor:
        return t("actor:system", language)
    head = actor.split(":", 1)[0].split(" ", 1)[0]
    key = f"actor:{head}"
    return t(key, language) if key in WORDS else actor


def day_label(day: date, today: date, language: str) -> str:
    if day == today:
        return t("today", language)
    if (today - day).days == 1:
        return t("yesterday", language)
    month = locales.MONTHS[language][day.month - 1]
    return f"{day.day} de {month} de {day.year}" if language == "es" else f"{month} {day.day}, {day.year}"


def _internal_text(
    kind: str, actor: str | None, data: dict[str, Any], language: str, names: dict[str, str]
) -> str | None:
    """Our own events, written from their data in the agent's language (the stored text is Spanish);
    None for the others."""
    name = who(actor, language, names)
    if kind == "handoff_opened" and data.get("reason"):
        reason = t(f"reason:{data['reason']}", language)
        return t("event:review_became" if data.get("was") else "event:opened", language, reason=reason)
    if kind == "handoff_claimed":
        return t("event:claimed", language, name=name)
    if kind == "handoff_released":
        return t("event:released", language, name=name)
    if kind == "handoff_reassigned" and data.get("to"):
        return t("event:reassigned", language, name=name, to=names.get(str(data["to"]), str(data["to"])))
    if kind == "handoff_resolved" and data.get("resolution") in ("back_to_bot", "closed"):
        return t(f"event:{data['resolution']}", language)
    return None


def _first_word(text: str) -> str:
    word = text.split(maxsplit=1)[0] if text.strip() else ""
    plain = "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c))
    return "".join(c for c in plain if c.isalnum()).casefold()


def _understood(data: dict[str, Any], language: str) -> str:
    parts = []
    nlu = data.get("nlu")
    if isinstance(nlu, dict) and nlu.get("intent"):
        confidence = f"{float(nlu.get('confidence') or 0):.2f}"
        parts.append(t("event:intent", language, intent=t(f"intent:{nlu['intent']}", language), confidence=confidence))
    conflict = data.get("conflict")
    if isinstance(conflict, dict) and float(conflict.get("score") or 0) > 0:
        parts.append(t("event:conflict", language, score=f"{float(conflict['score']):.2f}"))
    confidence = data.get("confidence")
    if isinstance(confidence, (int, float)):
        parts.append(t("event:heard", language, confidence=f"{confidence:.2f}"))
    if data.get("digits"):
        parts.append(t("event:keys", language, digits=str(data["digits"])))
    return " · ".join(parts)


def _media(data: dict[str, Any], language: str) -> str:
    links = []
    for n, url in enumerate(data.get("media") or [], 1):
        if isinstance(url, str) and url.startswith(("https://", "http://")):
            links.append(
                f'<a href="{escape(url)}" target="_blank" rel="noopener noreferrer">'
                f"{_CLIP} {escape(t('event:attachment', language))} {n}</a>"
            )
    return f'<div class="media">{" ".join(links)}</div>' if links else ""


def timeline(
    rows: Iterable[Any],
    language: str = "es",
    zone_name: str | None = None,
    names: dict[str, str] | None = None,
    today: date | None = None,
) -> Markup:
    """Every event (rows of ``cobranza.records.timeline.rows``), escaped: what a debtor wrote is never markup.
    Kinds, channels and actors are put in words; the rest goes through ``html.escape``."""
    names = names or {}
    local = zone(zone_name)
    today = today or datetime.now(local).date()
    words: dict[str, str] = {}  # kind and channel words, looked up once per page

    def word(key: str) -> str:
        found = words.get(key)
        if found is None:
            found = words[key] = escape(t(key, language))
        return found

    parts = []
    shown_day = None
    for event_id, at, channel, direction, kind, text, actor, data, _external, invoice, contact, *_ in rows:
        data = data or {}
        moment = at.astimezone(local) if at.tzinfo else at.replace(tzinfo=UTC).astimezone(local)
        if moment.date() != shown_day:
            shown_day = moment.date()
            parts.append(f'<div class="day"><span>{escape(day_label(shown_day, today, language))}</span></div>')
        clock = f'<time datetime="{at.isoformat()}">{moment:%H:%M}</time>'
        if kind in _NOTES:
            side = "note"
        elif channel == "system" or direction == "internal":
            side = "internal"
        else:
            side = "in" if direction == "in" else "out"
        if side == "internal":
            ours = _internal_text(kind, actor, data, language, names)
            what = word("kind:" + kind)
            if ours is not None or not text:  # written from the data: it says what happened by itself
                line = f'<span class="what">{escape(ours) if ours else what}</span>'
            elif _first_word(text) == _first_word(t("kind:" + kind, language)):  # "Factura nueva" / "Factura F-1…"
                line = escape(text)
            else:
                line = f'<span class="what">{what}</span> · {escape(text)}'
            parts.append(
                f'<div class="ev internal" data-kind="{kind}" data-id="{event_id}"><div class="line">'
                f"{line} · {clock}</div></div>"
            )
            continue
        person = escape(who(actor, language, names, contact))
        meta = f'<span class="who">{person}</span> · {word("channel:" + channel)}'
        if kind not in _PLAIN_MESSAGES:  # a reminder, an e-mail, a failure: say what it was
            meta += f" · {word('kind:' + kind)}"
        if invoice:
            meta += f" · {escape(invoice)}"
        extra = _understood(data, language) if side == "in" else ""
        parts.append(
            f'<div class="ev {side}" data-kind="{kind}" data-id="{event_id}"><div class="bubble">'
            f'<div class="meta">{meta} · {clock}</div><div class="txt">{escape(text)}</div>'
            + (_media(data, language) if side == "in" else "")
            + (f'<div class="nlu">{escape(extra)}</div>' if extra else "")
            + "</div></div>"
        )
    # every text in it went through escape() above
    return Markup("\n".join(parts))  # nosec B704


def tone_points(rows: Sequence[Any]) -> list[tuple[datetime, float, str]]:
    """The conflict score of each thing the debtor said, in order."""
    out = []
    for row in rows:
        at, direction, text, data = row[1], row[3], row[5], row[7] or {}
        conflict = data.get("conflict") if direction == "in" else None
        if isinstance(conflict, dict) and "score" in conflict:
            out.append((at, float(conflict["score"] or 0), text))
    return out


def tone_chart(
    points: Sequence[tuple[datetime, float, str]], language: str, zone_name: str | None = None
) -> Markup | None:
    """The debtor's tone message by message, as an inline SVG with its scale and the handoff line, when
    there is something to see: at least two scored messages and some conflict among them."""
    if len(points) < 2 or max(score for _, score, _ in points) <= 0:
        return None
    local = zone(zone_name)
    width, top, bottom, left, right = 300, 8, 88, 22, 292
    step = (right - left) / (len(points) - 1)

    def y(score: float) -> float:
        return bottom - (bottom - top) * max(0.0, min(1.0, score))

    dots, line = [], []
    for n, (at, score, text) in enumerate(points):
        x = left + n * step
        line.append(f"{x:.1f},{y(score):.1f}")
        when = at.astimezone(local).strftime("%d/%m %H:%M") if at.tzinfo else str(at)[:16]
        hot = " hot" if score >= HANDOFF_THRESHOLD else ""
        dots.append(
            f'<circle class="dot{hot}" cx="{x:.1f}" cy="{y(score):.1f}" r="3.5">'
            f"<title>{escape(when)} · {score:.2f} · {escape(text[:80])}</title></circle>"
        )
    start, end = (moment.astimezone(local) if moment.tzinfo else moment for moment in (points[0][0], points[-1][0]))
    shown = "%H:%M" if start.date() == end.date() else "%d/%m"  # one day: its hours; else the days
    first, last = start.strftime(shown), end.strftime(shown)
    caption = escape(t("tone_chart", language))
    limit = y(HANDOFF_THRESHOLD)
    # numbers and escape()d captions only
    return Markup(  # nosec B704
        f'<figure class="tone"><svg viewBox="0 0 {width} 104" role="img" aria-label="{caption}">'
        f'<line class="axis" x1="{left}" y1="{bottom}" x2="{right}" y2="{bottom}"/>'
        f'<line class="axis" x1="{left}" y1="{top}" x2="{left}" y2="{bottom}"/>'
        f'<line class="limit" x1="{left}" y1="{limit:.1f}" x2="{right}" y2="{limit:.1f}"/>'
        f'<text x="{left - 4}" y="{bottom + 3}" text-anchor="end">0</text>'
        f'<text x="{left - 4}" y="{top + 4}" text-anchor="end">1</text>'
        f'<polyline points="{" ".join(line)}"/>{"".join(dots)}'
        f'<text x="{left}" y="101">{escape(first)}</text>'
        f'<text x="{right}" y="101" text-anchor="end">{escape(last)}</text>'
        f"</svg><figcaption>{caption}</figcaption></figure>"
    )


def metric_charts(found: dict[str, FamilyMetrics], label: Callable[[str], str] = lambda key: key) -> list[Markup]:
    """One small bar chart (inline SVG, no script) per rate: preventive beside reactive. ``label`` puts
    a code into the page's language."""
    charts = []
    colours = {"preventive": "#2f855a", "reactive": "#c05621"}
    for rate in metrics.RATES:
        bars = []
        for i, fam in enumerate(metrics.FAMILIES):
            value = found[fam].rates[rate]
            height = round((value or 0) * 90)
            x = 20 + i * 70
            shown = "—" if value is None else f"{value:.0%}"
            name = escape(label(f"family:{fam}"))
            bars.append(
                f'<rect x="{x}" y="{110 - height}" width="50" height="{height}" fill="{colours[fam]}">'
                f"<title>{name}: {shown}</title></rect>"
                f'<text x="{x + 25}" y="{105 - height}" text-anchor="middle" font-size="12">{shown}</text>'
                f'<text x="{x + 25}" y="126" text-anchor="middle" font-size="11">{name}</text>'
            )
        title = escape(label(f"metric:{rate}"))
        charts.append(
            # numbers and escape()d labels only
            Markup(  # nosec B704
                f'<figure class="chart" data-rate="{rate}"><svg viewBox="0 0 160 130" width="160" '
                f'height="130" role="img" aria-label="{title}"><line x1="10" y1="110" x2="150" '
                f'y2="110" stroke="#999"/>{"".join(bars)}</svg><figcaption>{title}</figcaption></figure>'
            )
        )
    return charts
