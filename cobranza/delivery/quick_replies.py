"""WhatsApp quick replies: a question sent with buttons (Twilio's Content API), and a tap read back.

``playbooks/quick_replies.yml`` names the approved content per kind of question and language (its
ContentSid, its buttons): a yes/no question, and the two close readings the assistant asks about
instead of guessing (paid already or will pay; a dispute or a billing error). The WhatsApp door sends
the assistant's answer as that content's ``{{1}}`` when the answer ends on such a question, and turns
a tap's ``ButtonPayload`` (the button's id) into the intent it means. A file that is wrong is refused
at start with its line, like the playbooks.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

from cobranza.core import yamlfile

DEFAULT = Path(__file__).resolve().parents[2] / "playbooks" / "quick_replies.yml"
BODY_LIMIT = 1024  # characters of a quick-reply body
TITLE_LIMIT = 20  # characters of a button's title
# Each kind of question and its buttons: the id Twilio posts back as ButtonPayload, and the intent it means.
KINDS = {
    "yes_no": {"yes": "affirm", "no": "deny"},
    "paid_or_will_pay": {"paid": "already_paid", "will_pay": "promise_to_pay"},
    "dispute_or_billing": {"billing": "billing_error", "dispute": "dispute"},
}
INTENT_OF = {ident: intent for buttons in KINDS.values() for ident, intent in buttons.items()}


@dataclass(frozen=True)
class QuickReply:
    sid: str
    buttons: tuple[tuple[str, str], ...]  # (id, title)


def parse(text: str, source: str = "quick_replies.yml") -> dict[str, dict[str, QuickReply]]:
    """{kind: {language: QuickReply}}, the kinds of ``KINDS``."""
    root = yamlfile.parse(text, source).mapping(tuple(KINDS))
    found: dict[str, dict[str, QuickReply]] = {}
    for kind in root.data:
        node = root.need(str(kind)).mapping(("es", "en"))
        by_language: dict[str, QuickReply] = {}
        for language in node.data:
            entry = node.need(str(language)).mapping(("sid", "buttons"))
            sid = entry.text("sid")
            if not sid.startswith("HX"):
                raise entry.need("sid").fail("must be a ContentSid (HX...)")
            buttons = []
            wanted = KINDS[str(kind)]
            for button in entry.need("buttons").items():
                button.mapping(("id", "title"))
                ident, title = button.choice("id", tuple(wanted)), button.text("title")
                if len(title) > TITLE_LIMIT:
                    raise button.need("title").fail(f"at most {TITLE_LIMIT} characters (WhatsApp cuts longer titles)")
                buttons.append((ident, title))
            if sorted(b[0] for b in buttons) != sorted(wanted):
                raise entry.need("buttons").fail("needs one button of each: " + ", ".join(f"'{i}'" for i in wanted))
            by_language[str(language)] = QuickReply(sid, tuple(buttons))
        found[str(kind)] = by_language
    return found


@functools.cache
def load(path: str = str(DEFAULT)) -> dict[str, dict[str, QuickReply]]:
    file = Path(path)
    return parse(file.read_text(encoding="utf-8"), file.name) if file.exists() else {}


def for_question(kind: str | None, language: str, text: str, path: str = str(DEFAULT)) -> QuickReply | None:
    """The buttons to send ``text`` with, when the question is of a kind that has them and the text fits."""
    if kind not in KINDS or len(text) > BODY_LIMIT:
        return None
    return load(path).get(kind, {}).get(language if language in ("es", "en") else "es")


def all_sids(path: str = str(DEFAULT)) -> dict[str, QuickReply]:
    """Every configured quick reply by its ContentSid (what the stand-in shows as buttons)."""
    return {q.sid: q for by_language in load(path).values() for q in by_language.values()}
