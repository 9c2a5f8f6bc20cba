"""The case's history as HTML, written in one pass: a debtor may have thousands of events, and a
template loop spends more time looking attributes up than the database spends finding the rows."""

from __future__ import annotations

from collections.abc import Iterable
from html import escape
from typing import Any

from markupsafe import Markup


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
    """Every event (rows of ``cobranza.timeline.rows``), escaped: what a debtor wrote is never markup.
    Direction, kind and channel are the app's own words; the rest goes through ``html.escape``."""
    parts = []
    for event_id, at, channel, direction, kind, text, actor, data, *_ in rows:
        meta = f"{str(at)[:16]} · {channel} · {kind}"
        if actor:
            meta += " · " + actor
        if data:
            meta += _extra(data)
        parts.append(f'<div class="ev {direction}" data-kind="{kind}" data-id="{event_id}"><div class="meta">'
                     f'{escape(meta)}</div><div class="txt">{escape(text)}</div></div>')
    return Markup("\n".join(parts))
