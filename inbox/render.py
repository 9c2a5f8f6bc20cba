"""The case's history as HTML, written in one pass: a debtor may have thousands of events, and a
template loop spends more time looking attributes up than the database spends finding the rows."""

from __future__ import annotations

from collections.abc import Iterable
from html import escape
from typing import Any

from markupsafe import Markup

from cobranza.outreach import metrics
from cobranza.outreach.metrics import FamilyMetrics


def _extra(data: dict[str, Any]) -> str:
    out = ""
    confidence = data.get("confidence")
    if isinstance(confidence, (int, float)):
        out += f" · conf. {confidence:.2f}"
    nlu = data.get("nlu")
    if isinstance(nlu, dict) and nlu.get("intent"):
        out += f" · {nlu['intent']} ({float(nlu.get('confidence') or 0):.2f})"
    return out


def timeline(rows: Iterable[Any]) -> Markup:
    """Every event (rows of ``cobranza.records.timeline.rows``), escaped: what a debtor wrote is never markup.
    Direction, kind and channel are the app's own words; the rest goes through ``html.escape``."""
    parts = []
    for event_id, at, channel, direction, kind, text, actor, data, *_ in rows:
        meta = f"{str(at)[:16]} · {channel} · {kind}"
        if actor:
            meta += " · " + actor
        if data:
            meta += _extra(data)
        parts.append(
            f'<div class="ev {direction}" data-kind="{kind}" data-id="{event_id}"><div class="meta">'
            f'{escape(meta)}</div><div class="txt">{escape(text)}</div></div>'
        )
    return Markup("\n".join(parts))


def metric_charts(found: dict[str, FamilyMetrics], label: Any = lambda key: key) -> list[Markup]:
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
            Markup(
                f'<figure class="chart" data-rate="{rate}"><svg viewBox="0 0 160 130" width="160" '
                f'height="130" role="img" aria-label="{title}"><line x1="10" y1="110" x2="150" '
                f'y2="110" stroke="#999"/>{"".join(bars)}</svg><figcaption>{title}</figcaption></figure>'
            )
        )
    return charts
