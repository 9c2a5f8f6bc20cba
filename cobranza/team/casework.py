"""The agents' work on handoffs: the queue, taking a case, handing it on, and acting for the company.

One agent at a time has a case: taking it is one conditional UPDATE, so of
two agents claiming at once exactly one wins and the other is told who did.
Whatever an agent does for a debtor goes on the debtor's timeline with the
agent as actor, and through the same services as the assistant (the same
promise rules and confirmation e-mail, the same WhatsApp outbox).

The queue is one statement on either database, whatever its filters, search
and order:

- **the debtor is waiting** when their last message on WhatsApp or the phone
  (``whatsapp_in``, ``voice_in``) has had no answer after it; the wait counts
  from that message, not from the case's creation. An answer is an agent's message or logged call, or the
  assistant's reply — except what the assistant says once a conversation was
  handed to people ("a person will continue here"), which answers nothing. A
  review (``plan_review``) leaves the conversation to the assistant until it is
  taken, so its replies there are answers;
- **unread**: the debtor's messages since the agent last opened the case
  (``case_reads``); on a case they never opened, those since it opened and
  those still waiting for an answer;
- **the SLA** (``INBOX_SLA_MINUTES``) runs from the debtor's wait, or, on a
  conversation nobody has taken, from its opening (a review nobody took has
  no clock while the debtor does not wait: the assistant answers);
- **search** folds accents and case on both sides ("clinica" finds
  "Clínica") over the company's name, its contacts' names, phones and
  e-mails, its tax ID and reference and its invoice numbers; phones, tax IDs
  and invoice numbers are compared without spaces, dots, dashes or "+"
  ("300 555 0177", "+57 300-555-0177", "900123456-7" all match). The folding
  is SQL (``translate`` on PostgreSQL, ``replace`` on SQLite), so the database
  filters the book.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    String,
    and_,
    case,
    exists,
    func,
    literal,
    literal_column,
    or_,
    select,
    text,
    true,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from cobranza.core.clock import utcnow
from cobranza.core.errors import Conflict, FieldError, Forbidden, NotFound
from cobranza.core.vocabulary import CONSENT_CHANNELS, Channel, Direction, HandoffStatus
from cobranza.db.models import Agent, CaseRead, Contact, Debtor, Handoff, Interaction, Invoice
from cobranza.db.types import UTCDateTime
from cobranza.db.unit_of_work import UnitOfWork
from cobranza.delivery import messaging
from cobranza.records import consent, handoffs, identity, timeline
from cobranza.records.audit import audit

ACTIVE = handoffs.ACTIVE
REVIEW = handoffs.REVIEW
STATUSES = ("active", "open", "assigned", "resolved")
VIEWS = ("all", "mine", "unassigned")
SORTS = ("sla", "waiting", "balance", "newest")
# What the debtor says (their messages count as unread and make them wait).
DEBTOR_MESSAGES = ("whatsapp_in", "voice_in")
# What answers them: a person, always; the assistant, until the conversation was handed to people.
AGENT_ANSWERS = ("whatsapp_agent", "call_logged")
BOT_ANSWERS = ("whatsapp_reply", "whatsapp_opt_out_confirmation", "voice_out")
PRIORITIES = ("high", "normal", "low")
_HIGH_REASONS = frozenset({"legal_threat", "insult", "sentiment"})
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class QueueRow:
    id: int
    reason: str
    status: str
    channel: str
    debtor_ref: str
    debtor_name: str
    assigned_to: str | None
    created_at: datetime
    waiting: timedelta | None  # how long the debtor has waited for an answer (None: they are not waiting)
    over_sla: bool
    open_balance: Decimal
    currency: str | None  # None when the open invoices are in several currencies (the sum then mixes them)
    callback: str | None = None  # a caller waits for a call back, by then (ISO), or "soon"
    debtor_id: int = 0
    country: str | None = None
    timezone: str | None = None
    segment: str | None = None
    holder_name: str | None = None
    waiting_since: datetime | None = None
    sla_due: datetime | None = None  # when the SLA is (or was) breached; None when no clock runs
    unread: int = 0
    written_since: int = 0  # the debtor's messages since the case opened (a review's "the debtor wrote")
    last_message: str | None = None
    last_message_at: datetime | None = None
    resolved_at: datetime | None = None
    resolution: str | None = None
    priority: str = "normal"
    age: timedelta = timedelta(0)

    @property
    def review(self) -> bool:
        return self.reason == REVIEW

    @property
    def debtor_waiting(self) -> bool:
        return self.waiting is not None


@dataclass(frozen=True)
class Queue:
    rows: list[QueueRow]
    counts: dict[str, int]  # per view (all, mine, unassigned), with the same status and search


# --- search ---------------------------------------------------------------------------------------

_ACCENTED = "áàâäãåéèêëíìîïóòôöõúùûüñçýÿÁÀÂÄÃÅÉÈÊËÍÌÎÏÓÒÔÖÕÚÙÛÜÑÇÝ"
_PLAIN = "aaaaaaeeeeiiiiooooouuuuncyyaaaaaaeeeeiiiiooooouuuuncy"
assert len(_ACCENTED) == len(_PLAIN)


def fold(text: str) -> str:
    """What a name is compared as: no accents, lower case, single spaces ("Clínica  del Pacífico" →
    "clinica del pacifico"). Applied to the search and, in SQL, to the column."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return " ".join(plain.casefold().split())


def compact(text: str) -> str:
    """What a phone, tax ID or invoice number is compared as: folded, only letters and digits
    ("+57 300-555-0177" → "573005550177", "900.123.456-7" → "9001234567")."""
    return "".join(c for c in fold(text) if c.isascii() and c.isalnum())


def _sql_fold(value: str | None) -> str | None:
    return None if value is None else fold(value)


def _sql_compact(value: str | None) -> str | None:
    return None if value is None else compact(value)


def _quoted(text: str) -> Any:
    return literal_column("'" + text.replace("'", "''") + "'", String)


def fold_sql(column: Any, dialect: str) -> ColumnElement[str]:
    """``fold`` in the database: ``translate`` and ``lower`` on PostgreSQL; on SQLite (whose ``lower``
    knows only ASCII) ``fold`` itself, registered on the connection as ``cobranza_fold``."""
    if dialect == "postgresql":
        return func.lower(func.translate(column, _quoted(_ACCENTED), _quoted(_PLAIN), type_=String), type_=String)
    return func.cobranza_fold(column, type_=String)


def compact_sql(column: Any, dialect: str) -> ColumnElement[str]:
    """``compact`` in the database (``regexp_replace`` on PostgreSQL, ``cobranza_compact`` on SQLite)."""
    if dialect == "postgresql":
        folded = fold_sql(column, dialect)
        return func.regexp_replace(folded, _quoted("[^a-z0-9]+"), _quoted(""), _quoted("g"), type_=String)
    return func.cobranza_compact(column, type_=String)


def prepare(session: Session) -> None:
    """Ready the session's connection for the queue: on SQLite, the search's functions (PostgreSQL has its
    own); on PostgreSQL, no JIT for this transaction — the queue's correlated subqueries look expensive
    to the planner, which would spend a second compiling what runs in a tenth of it."""
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        connection.execute(text("SET LOCAL jit = off"))
    elif connection.dialect.name == "sqlite":
        raw: Any = connection.connection.dbapi_connection
        raw.create_function("cobranza_fold", 1, _sql_fold, deterministic=True)
        raw.create_function("cobranza_compact", 1, _sql_compact, deterministic=True)


def _like(expr: ColumnElement[str], value: str) -> ColumnElement[bool]:
    return expr.contains(value, autoescape=True)


def _matches_term(term: str, dialect: str) -> ColumnElement[bool]:
    """One word of a search: in a name (folded) or in a code (compacted)."""
    folded, code = fold(term), compact(term)
    contact_match: list[ColumnElement[bool]] = [
        _like(fold_sql(Contact.name, dialect), folded),
        _like(fold_sql(func.coalesce(Contact.email, ""), dialect), folded),
    ]
    code_match: list[ColumnElement[bool]] = []
    if code:
        contact_match.append(_like(compact_sql(func.coalesce(Contact.phone, ""), dialect), code))
        code_match = [
            _like(compact_sql(Debtor.tax_id, dialect), code),
            _like(compact_sql(Debtor.ref, dialect), code),
            exists().where(Invoice.debtor_id == Debtor.id, _like(compact_sql(Invoice.number, dialect), code)),
        ]
    return or_(
        _like(fold_sql(Debtor.name, dialect), folded),
        exists().where(Contact.debtor_id == Debtor.id, or_(*contact_match)),
        *code_match,
    )


def search_clause(search: str, dialect: str) -> ColumnElement[bool]:
    """Every word somewhere (name, contact, code), or the whole text as one code ("300 555 0177")."""
    words = fold(search).split()
    if not words:
        return true()
    every_word = and_(*(_matches_term(w, dialect) for w in words))
    whole = compact(search)
    if len(words) == 1 or not whole:
        return every_word
    as_code = or_(
        exists().where(
            Contact.debtor_id == Debtor.id, _like(compact_sql(func.coalesce(Contact.phone, ""), dialect), whole)
        ),
        _like(compact_sql(Debtor.tax_id, dialect), whole),
        exists().where(Invoice.debtor_id == Debtor.id, _like(compact_sql(Invoice.number, dialect), whole)),
    )
    return or_(every_word, as_code)


# --- the queue ------------------------------------------------------------------------------------


def queue_query(
    viewer: Agent,
    status: str | None = None,
    search: str | None = None,
    limit: int = 200,
    *,
    view: str = "all",
    sort: str | None = None,
    dialect: str = "postgresql",
) -> Select[Any]:
    """The queue as one statement: each handoff with its debtor, the debtor's open balance, whether and
    since when the debtor waits, what the viewer has not read, in the order asked.

    In layers, each fenced with OFFSET 0 (else PostgreSQL inlines a layer's subqueries wherever the next
    one names their column, and runs them again there): 1. the cases the viewer may see, with their debtor
    and balance; 2. the debtor's last answer; 3. since when they wait; 4. unread counts and the last
    message. What the order needs is computed for every case; the rest only for the cases shown."""
    i = Interaction.__table__.c
    order = sort if sort in SORTS else ("newest" if status == "resolved" else "sla")
    early = order in ("balance", "newest")  # orders that need no wait: cut to ``limit`` before anything else
    pre = _filtered(viewer, status, search, view, dialect).subquery("pre")
    first = select(pre)
    if early:
        first = first.order_by(*_keys(pre.c, order), pre.c.id).limit(limit)
    base = first.offset(0).subquery("base")

    # 2. the last answer the debtor got (an agent's; the assistant's before a person took the conversation)
    answers = (
        select(func.max(i.at))
        .where(
            i.debtor_id == base.c.debtor_id,
            or_(
                i.kind.in_(AGENT_ANSWERS),
                and_(
                    i.kind.in_(BOT_ANSWERS),
                    or_(base.c.reason == REVIEW, base.c.taken_over_at.is_(None), i.at <= base.c.taken_over_at),
                ),
            ),
        )
        .scalar_subquery()
    )
    answered = select(base, answers.label("answered_at")).offset(0).subquery("answered")
    a = answered.c

    # 3. what the debtor wrote after it: the last of it is since when they wait
    # (every condition on time is one range of the (debtor_id, at) index: a few rows per case, not its history)
    said = i.kind.in_(DEBTOR_MESSAGES)
    last_answer = func.coalesce(a.answered_at, literal(_EPOCH, UTCDateTime))
    waiting_since = select(func.max(i.at)).where(i.debtor_id == a.debtor_id, said, i.at > last_answer).scalar_subquery()
    third = select(answered, waiting_since.label("waiting_since"))
    if not early:
        w0 = third.subquery("waited")
        third = select(w0).order_by(*_keys(w0.c, order), w0.c.id).limit(limit)
    waited = third.offset(0).subquery("waiting")
    w = waited.c

    # 4. for the cases shown: what the viewer has not read — up to where they left it; on a case never
    # opened, what waits for an answer and all since it opened —, a review's "the debtor wrote", the last message
    answered_to = func.coalesce(w.answered_at, literal(_EPOCH, UTCDateTime))
    read_to = func.coalesce(w.seen_at, case((answered_to < w.created_at, answered_to), else_=w.created_at))
    unread = (
        select(func.count())
        .select_from(Interaction.__table__)
        .where(i.debtor_id == w.debtor_id, said, i.at > read_to)
        .scalar_subquery()
    )
    written = case(
        (
            w.reason == REVIEW,
            select(func.count())
            .select_from(Interaction.__table__)
            .where(i.debtor_id == w.debtor_id, said, i.at > w.created_at)
            .scalar_subquery(),
        ),
        else_=literal(0),
    )
    last = (
        select(i.id)
        .where(i.debtor_id == w.debtor_id, said)
        .order_by(i.at.desc(), i.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    counted = (
        select(
            waited,
            unread.label("unread"),
            written.label("written_since"),
            last.label("last_message_id"),
        )
        .offset(0)
        .subquery("counted")
    )
    f = counted.c
    m = Interaction.__table__.alias("last_message")
    return (
        select(counted, m.c.text.label("last_text"), m.c.at.label("last_at"))
        .outerjoin(m, m.c.id == f.last_message_id)
        .order_by(*_keys(f, order), f.id)
    )


def _keys(c: Any, order: str) -> list[Any]:
    """The order's keys over a layer's columns ``c`` (sla and waiting need ``waiting_since``)."""
    if order == "balance":
        return [c.open_balance.desc(), c.created_at]
    if order == "newest":
        return [func.coalesce(c.resolved_at, c.created_at).desc()]
    if order == "waiting":
        return [case((c.waiting_since.is_(None), 1), else_=0), c.waiting_since, c.created_at]
    unclaimed = and_(c.status == HandoffStatus.OPEN.value, c.reason != REVIEW)  # a review: the bot answers
    sla_start = func.coalesce(c.waiting_since, case((unclaimed, c.created_at)))
    return [case((sla_start.is_(None), 1), else_=0), sla_start, c.created_at]


def _filtered(viewer: Agent, status: str | None, search: str | None, view: str, dialect: str) -> Select[Any]:
    """1. The handoffs the viewer may see with this status, view and search, and their debtor."""
    i = Interaction.__table__.c
    balance = (
        select(
            Invoice.debtor_id,
            func.sum(Invoice.balance).label("open_balance"),
            func.min(Invoice.currency).label("low"),
            func.max(Invoice.currency).label("high"),
        )
        .where(Invoice.balance > 0)
        .group_by(Invoice.debtor_id)
        .subquery()
    )
    # when people took the conversation: its opening, or, for a review that became a conversation handoff
    # (its evidence keeps the review's), the latest handoff_opened line since the review opened
    became = (
        select(func.max(i.at))
        .where(i.debtor_id == Handoff.debtor_id, i.kind == "handoff_opened", i.at >= Handoff.created_at)
        .scalar_subquery()
    )
    taken_over = case((Handoff.evidence["review"].is_not(None), became), else_=Handoff.created_at)
    query = (
        select(
            Handoff.id,
            Handoff.debtor_id,
            Handoff.reason,
            Handoff.status,
            Handoff.channel,
            Handoff.evidence,
            Handoff.assigned_to,
            Handoff.created_at,
            Handoff.resolved_at,
            Handoff.resolution,
            Debtor.ref.label("debtor_ref"),
            Debtor.name.label("debtor_name"),
            Debtor.country,
            Debtor.timezone,
            func.coalesce(Debtor.segment_override, Debtor.segment).label("segment"),
            func.coalesce(balance.c.open_balance, 0).label("open_balance"),
            balance.c.low,
            balance.c.high,
            Agent.name.label("holder_name"),
            CaseRead.seen_at,
            taken_over.label("taken_over_at"),
        )
        .join(Debtor, Debtor.id == Handoff.debtor_id)
        .outerjoin(balance, balance.c.debtor_id == Handoff.debtor_id)
        .outerjoin(Agent, Agent.email == Handoff.assigned_to)
        .outerjoin(CaseRead, and_(CaseRead.handoff_id == Handoff.id, CaseRead.agent_id == viewer.id))
    )
    query = query.where(_status_clause(status), _visible(viewer))
    if view == "mine":
        query = query.where(Handoff.assigned_to == viewer.email)
    elif view == "unassigned":
        query = query.where(Handoff.assigned_to.is_(None))
    if search and search.strip():
        query = query.where(search_clause(search, dialect))
    return query


def _status_clause(status: str | None) -> ColumnElement[bool]:
    if status in ("open", "assigned", "resolved"):
        return Handoff.status == status
    return Handoff.status.in_(ACTIVE)


def _visible(viewer: Agent) -> ColumnElement[bool]:
    """``may_see`` as SQL, for the queue."""
    if viewer.role == "supervisor":
        return true()
    return or_(Handoff.assigned_to.is_(None), Handoff.assigned_to == viewer.email)


def queue(
    session: Session,
    viewer: Agent,
    sla: timedelta,
    status: str | None = None,
    search: str | None = None,
    now: datetime | None = None,
    *,
    view: str = "all",
    sort: str | None = None,
    limit: int = 200,
) -> list[QueueRow]:
    """The viewer's queue: ``status`` (active, open, assigned, resolved), ``view`` (all, mine,
    unassigned), ``search`` and ``sort`` (sla, waiting, balance, newest)."""
    now = now or utcnow()
    dialect = session.get_bind().dialect.name
    query = queue_query(viewer, status, search, limit, view=view, sort=sort, dialect=dialect)
    prepare(session)
    return [_row(r, sla, now) for r in session.execute(query).mappings()]


def queue_with_counts(
    session: Session,
    viewer: Agent,
    sla: timedelta,
    status: str | None = None,
    search: str | None = None,
    now: datetime | None = None,
    *,
    view: str = "all",
    sort: str | None = None,
    limit: int = 200,
) -> Queue:
    """The queue and how many cases each view holds (same status and search): one more small query."""
    rows = queue(session, viewer, sla, status, search, now, view=view, sort=sort, limit=limit)
    return Queue(rows, view_counts(session, viewer, status, search))


def view_counts(session: Session, viewer: Agent, status: str | None, search: str | None) -> dict[str, int]:
    dialect = session.get_bind().dialect.name
    query = (
        select(
            func.count(),
            func.count(case((Handoff.assigned_to == viewer.email, 1))),
            func.count(case((Handoff.assigned_to.is_(None), 1))),
        )
        .select_from(Handoff)
        .join(Debtor, Debtor.id == Handoff.debtor_id)
        .where(_status_clause(status), _visible(viewer))
    )
    if search and search.strip():
        query = query.where(search_clause(search, dialect))
    prepare(session)
    everything, mine, unassigned = session.execute(query).one()
    return {"all": int(everything), "mine": int(mine), "unassigned": int(unassigned)}


def _row(r: Any, sla: timedelta, now: datetime) -> QueueRow:
    active = r["status"] != HandoffStatus.RESOLVED.value
    waiting_since = r["waiting_since"] if active else None
    unclaimed = r["status"] == HandoffStatus.OPEN.value and r["reason"] != REVIEW  # a review: the bot answers
    clock = waiting_since or (r["created_at"] if unclaimed else None)
    sla_due = clock + sla if clock is not None else None
    balance = r["open_balance"]
    evidence = r["evidence"] or {}
    callback = _callback_of(evidence)
    row = QueueRow(
        id=r["id"],
        reason=r["reason"],
        status=r["status"],
        channel=r["channel"],
        debtor_ref=r["debtor_ref"],
        debtor_name=r["debtor_name"],
        assigned_to=r["assigned_to"],
        created_at=r["created_at"],
        waiting=now - waiting_since if waiting_since is not None else None,
        over_sla=sla_due is not None and now > sla_due,
        open_balance=balance if isinstance(balance, Decimal) else Decimal(balance),
        currency=r["low"] if r["low"] == r["high"] else None,
        callback=callback,
        debtor_id=r["debtor_id"],
        country=r["country"],
        timezone=r["timezone"],
        segment=r["segment"],
        holder_name=r["holder_name"],
        waiting_since=waiting_since,
        sla_due=sla_due,
        unread=int(r["unread"] or 0) if active else 0,
        written_since=int(r["written_since"] or 0),
        last_message=r["last_text"],
        last_message_at=r["last_at"],
        resolved_at=r["resolved_at"],
        resolution=r["resolution"],
        age=(r["resolved_at"] or now) - r["created_at"],
    )
    return _with_priority(row)


def _with_priority(row: QueueRow) -> QueueRow:
    """High: conflict (insults, legal threats, tone), a caller waiting for a call back, or a high-risk
    debtor who waits; low: a review the debtor has not written in; normal: the rest."""
    if row.reason in _HIGH_REASONS or row.callback or (row.segment == "high" and row.debtor_waiting):
        level = "high"
    elif row.review and not row.written_since:
        level = "low"
    else:
        level = "normal"
    return replace(row, priority=level)


def _callback_of(evidence: dict[str, Any]) -> str | None:
    voice = evidence.get("voice")
    if isinstance(voice, dict) and voice.get("route") == "callback":
        return str(voice.get("callback_by") or "soon")
    return None


def _callback(handoff: Handoff) -> str | None:
    return _callback_of(handoff.evidence or {})


def mark_read(session: UnitOfWork, agent: Agent, handoff_id: int, seen_at: datetime) -> None:
    """The agent has seen the case up to ``seen_at`` (never moved back): one upsert."""
    dialect = session.get_bind().dialect.name
    values = {"agent_id": agent.id, "handoff_id": handoff_id, "seen_at": seen_at}
    newer = CaseRead.seen_at < seen_at
    keys = ["agent_id", "handoff_id"]
    if dialect == "postgresql":
        pg = postgresql.insert(CaseRead).values(values)
        session.execute(
            pg.on_conflict_do_update(index_elements=keys, set_={"seen_at": pg.excluded.seen_at}, where=newer)
        )
        return
    lite = sqlite.insert(CaseRead).values(values)
    session.execute(
        lite.on_conflict_do_update(index_elements=keys, set_={"seen_at": lite.excluded.seen_at}, where=newer)
    )


# --- one case -------------------------------------------------------------------------------------


def get(session: Session, handoff_id: int) -> Handoff:
    handoff = session.get(Handoff, handoff_id)
    if handoff is None:
        raise NotFound(f"no handoff {handoff_id}", "handoff_id")
    return handoff


def may_see(agent: Agent, handoff: Handoff) -> bool:
    """The team rule: an agent sees the cases nobody holds and their own (held now, or resolved while
    theirs); a supervisor sees every case. The queue, the case page, its actions and the live stream all
    ask this."""
    return agent.role == "supervisor" or handoff.assigned_to is None or handoff.assigned_to == agent.email


def require_visible(agent: Agent, handoff: Handoff) -> None:
    if not may_see(agent, handoff):
        raise Forbidden("this case is held by another agent", "handoff_id")


def may_see_debtor(session: Session, agent: Agent, debtor_id: int) -> bool:
    """Whether any of this debtor's cases is one the agent may see (the live stream's filter)."""
    if agent.role == "supervisor":
        return True
    found = session.scalar(select(Handoff.id).where(Handoff.debtor_id == debtor_id, _visible(agent)).limit(1))
    return found is not None


def contact_of(session: Session, handoff: Handoff, contact_id: int | None) -> Contact:
    """The contact an agent named for a reply or a promise, only if it is this case's debtor's: a foreign
    one would carry this debtor's invoice, amount and date to a stranger."""
    contact = session.get(Contact, contact_id) if contact_id else None
    if contact is None or contact.debtor_id != handoff.debtor_id:
        raise NotFound("that contact is not one of this debtor's", "contact_id")
    return contact


def may_act(agent: Agent, handoff: Handoff) -> bool:
    """Only the agent who holds an active case acts on it (a supervisor may always)."""
    return agent.role == "supervisor" or (
        handoff.status == HandoffStatus.ASSIGNED.value and handoff.assigned_to == agent.email
    )


def require_holder(agent: Agent, handoff: Handoff) -> None:
    require_visible(agent, handoff)
    if not may_act(agent, handoff):
        holder = handoff.assigned_to or "nobody"
        raise Conflict(f"this case is held by {holder}; take it first", "handoff_id")


def claim(session: UnitOfWork, agent: Agent, handoff_id: int) -> Handoff:
    """Take an open case; of two agents at once, one wins and the other gets Conflict naming the holder
    (only a case nobody holds can be taken, so this needs no ``may_see``)."""
    won = session.execute(
        update(Handoff)
        .where(Handoff.id == handoff_id, Handoff.status == HandoffStatus.OPEN.value, Handoff.assigned_to.is_(None))
        .values(status=HandoffStatus.ASSIGNED.value, assigned_to=agent.email, assigned_at=utcnow())
    ).rowcount  # type: ignore[attr-defined]
    handoff = get(session, handoff_id)
    session.refresh(handoff)
    if not won:
        if handoff.assigned_to == agent.email and handoff.status == HandoffStatus.ASSIGNED.value:
            return handoff  # already theirs
        holder = handoff.assigned_to or handoff.status
        raise Conflict(f"already taken by {holder}", "handoff_id")
    timeline.record(
        session,
        handoff.debtor_id,
        Channel.AGENT,
        Direction.INTERNAL,
        "handoff_claimed",
        f"{agent.name} tomó el caso",
        actor=f"agent:{agent.email}",
        data={"handoff_id": handoff.id},
    )
    audit(session, agent.email, "handoff_claimed", str(handoff.id))
    return handoff


def release(session: UnitOfWork, agent: Agent, handoff: Handoff) -> None:
    require_holder(agent, handoff)
    if handoff.status != HandoffStatus.ASSIGNED.value:
        raise Conflict("only a case someone holds can be released", "handoff_id")
    handoff.status, handoff.assigned_to, handoff.assigned_at = HandoffStatus.OPEN.value, None, None
    timeline.record(
        session,
        handoff.debtor_id,
        Channel.AGENT,
        Direction.INTERNAL,
        "handoff_released",
        f"{agent.name} liberó el caso",
        actor=f"agent:{agent.email}",
        data={"handoff_id": handoff.id},
    )
    audit(session, agent.email, "handoff_released", str(handoff.id))


def reassign(session: UnitOfWork, agent: Agent, handoff: Handoff, to: Agent) -> None:
    require_holder(agent, handoff)
    if handoff.status == HandoffStatus.RESOLVED.value:
        raise Conflict("this case is resolved", "handoff_id")
    if not to.active:
        raise Conflict(f"{to.email} is not an active agent", "to")
    handoff.status, handoff.assigned_to, handoff.assigned_at = HandoffStatus.ASSIGNED.value, to.email, utcnow()
    timeline.record(
        session,
        handoff.debtor_id,
        Channel.AGENT,
        Direction.INTERNAL,
        "handoff_reassigned",
        f"{agent.name} pasó el caso a {to.name}",
        actor=f"agent:{agent.email}",
        data={"handoff_id": handoff.id, "to": to.email},
    )
    audit(session, agent.email, "handoff_reassigned", str(handoff.id), to=to.email)


def resolve(session: UnitOfWork, agent: Agent, handoff: Handoff, resolution: str) -> None:
    require_holder(agent, handoff)
    handoffs.resolve(session, handoff, resolution, f"agent:{agent.email}")
    audit(session, agent.email, f"handoff_{resolution}", str(handoff.id))


def note(session: UnitOfWork, agent: Agent, handoff: Handoff, text: str, kind: str = "note") -> None:
    """A note, or a call the agent logs ("call_logged"), on the debtor's timeline."""
    require_holder(agent, handoff)
    text = text.strip()
    if not text:
        raise Conflict("the note is empty", "text")
    timeline.record(
        session,
        handoff.debtor_id,
        Channel.AGENT,
        Direction.INTERNAL,
        "agent_note" if kind == "note" else "call_logged",
        text[:4000],
        actor=f"agent:{agent.email}",
        data={"handoff_id": handoff.id},
    )
    audit(session, agent.email, kind, str(handoff.id))


@dataclass(frozen=True)
class ReplyRule:
    """What a WhatsApp reply to this contact may be now: free text inside the 24-hour window, an
    approved template outside it."""

    free_text: bool
    window_closes: datetime | None


def reply_rule(contact: Contact, now: datetime | None = None) -> ReplyRule:
    now = now or utcnow()
    last = contact.whatsapp_last_inbound_at
    closes = last + messaging.WINDOW if last is not None else None
    return ReplyRule(messaging.window_open(contact, now), closes)


def reply(
    session: UnitOfWork, agent: Agent, handoff: Handoff, contact: Contact, text: str, template_sid: str | None = None
) -> int:
    """An agent's WhatsApp message, through the same outbox as the assistant's."""
    require_holder(agent, handoff)
    contact = contact_of(session, handoff, contact.id)
    text = text.strip()
    if not text:
        raise Conflict("the reply is empty", "text")
    if not reply_rule(contact).free_text:
        if not template_sid:
            raise Conflict("the 24-hour window is closed: only an approved template can be sent", "text")
        message = messaging.queue(
            session,
            contact,
            "agent",
            content_sid=template_sid,
            content_variables={"1": text[:900]},
            actor=f"agent:{agent.email}",
        )
    else:
        message = messaging.queue(session, contact, "agent", body=text[:1600], actor=f"agent:{agent.email}")
    audit(session, agent.email, "whatsapp_reply", str(handoff.id), message_id=message.id)
    return message.id


def grant_consent(
    session: UnitOfWork, agent: Agent, handoff: Handoff, contact_id: int | None, channel: str, evidence: str
) -> None:
    """An agent records that a contact gave consent again on a channel (on a call, by e-mail, in writing):
    the holder only, for this case's debtor's contact, and with the how in words — kept as the evidence, so
    a later sync from the CRM is weighed against it like the debtor's own word."""
    require_holder(agent, handoff)
    contact = contact_of(session, handoff, contact_id)
    if channel not in CONSENT_CHANNELS:
        raise FieldError(f"channel must be one of {', '.join(CONSENT_CHANNELS)}", "channel")
    evidence = evidence.strip()
    if len(evidence) < 5:
        raise FieldError("say how and when the contact gave consent again", "evidence")
    if getattr(contact, f"{channel}_consent"):
        raise Conflict("the contact already accepts that channel", "channel")
    consent.set_consent(session, contact, channel, True, consent.AGENT_METHOD, f"agent:{agent.email}", evidence[:500])
    audit(session, agent.email, "consent_granted", str(handoff.id), contact_id=contact.id, channel=channel)


def link_verified_number(session: UnitOfWork, agent: Agent, handoff: Handoff, evidence: str, name: str) -> Contact:
    """A verification case (a number asked to be a contact; the company has no e-mail for a code): the
    holder, having checked by other means, links the number — saying how, which is the evidence kept."""
    require_holder(agent, handoff)
    if handoff.reason != handoffs.VERIFICATION or not (handoff.evidence or {}).get("phone"):
        raise Conflict("this case is not a verification", "handoff_id")
    evidence = evidence.strip()
    if len(evidence) < 5:
        raise FieldError("say how you verified the number", "evidence")
    debtor = session.get(Debtor, handoff.debtor_id)
    assert debtor is not None
    phone, channel = str(handoff.evidence["phone"]), str(handoff.evidence.get("channel") or Channel.WHATSAPP)
    contact = identity.link_phone(session, debtor, phone, name.strip()[:200] or None, channel, how="agent_verified")
    timeline.record(
        session,
        debtor.id,
        Channel.AGENT,
        Direction.INTERNAL,
        "agent_note",
        f"Número verificado por {agent.name}: {evidence[:500]}",
        contact_id=contact.id,
        actor=f"agent:{agent.email}",
        data={"handoff_id": handoff.id},
    )
    audit(session, agent.email, "number_linked", str(handoff.id), contact_id=contact.id, evidence=evidence[:500])
    return contact


def last_to_speak(session: Session, debtor_id: int) -> int | None:
    """The contact of the debtor's latest inbound message or call turn (whom an agent answers by default)."""
    return session.scalar(
        select(Interaction.contact_id)
        .where(
            Interaction.debtor_id == debtor_id,
            Interaction.direction == Direction.IN,
            Interaction.contact_id.is_not(None),
        )
        .order_by(Interaction.at.desc(), Interaction.id.desc())
        .limit(1)
    )


def contacts_of(session: Session, debtor_id: int) -> list[Contact]:
    return list(
        session.scalars(
            select(Contact)
            .where(Contact.debtor_id == debtor_id, Contact.active.is_(True), Contact.phone.is_not(None))
            .order_by(Contact.id)
        )
    )
