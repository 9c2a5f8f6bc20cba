"""The composition root: the one place a process's shared parts are built and wired together.

Settings, the database engine, the units of work (whose after-commit effects
go to the job queue and the inbox's live channel), Redis, the queue, the
playbook and the contact policy (the country rules file and the playbook's
stop list). The web app keeps its own on
``app.extensions`` (tests run several apps against different databases in one
process); the worker, the action server and the CLI build theirs here too.
Nothing else builds one.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from functools import cache, cached_property

import redis
from flask import current_app, has_app_context
from rq import Queue
from sqlalchemy import Engine

from cobranza.core.effects import Effect
from cobranza.core.settings import Settings
from cobranza.db.engine import Sessions, make_engine, make_session_factory, transaction
from cobranza.db.unit_of_work import UnitOfWork
from cobranza.delivery import queue as jobs
from cobranza.delivery import quick_replies
from cobranza.outreach.playbook import Playbook
from cobranza.outreach.playbook import load as load_playbook
from cobranza.policy import ContactPolicy, ContactRules, load_rules
from cobranza.records.verification import Verifier

EXTENSION = "cobranza"


@dataclass
class Runtime:
    settings: Settings

    @cached_property
    def engine(self) -> Engine:
        return make_engine(self.settings.database_url)

    @cached_property
    def sessions(self) -> Sessions:
        """Units of work on this process's engine; what they commit reaches the workers and the inbox."""
        return make_session_factory(self.engine, dispatch=self.dispatch)

    def work(self, write: bool = True) -> AbstractContextManager[UnitOfWork]:
        """One transaction (``write=False``: a read that takes no write lock on SQLite)."""
        return transaction(self.sessions, write=write)

    @cached_property
    def redis(self) -> redis.Redis:
        return _client(self.settings.redis_url)

    @cached_property
    def queue(self) -> Queue:
        return jobs.queue_for(self.redis, self.settings)

    @cached_property
    def playbook(self) -> Playbook:
        """The playbook in use (PLAYBOOK), validated when first needed; an invalid one stops here."""
        return load_playbook(self.settings.playbook)

    @cached_property
    def contact_rules(self) -> ContactRules:
        """Each country's contact rules (CONTACT_RULES), validated when first needed."""
        return load_rules(self.settings.contact_rules)

    @cached_property
    def policy(self) -> ContactPolicy:
        """The contact policy in force: the country rules and the playbook's objections that stop collection."""
        return ContactPolicy.of(self.contact_rules, self.playbook.stop_on)

    def use_contact_rules(self, rules: ContactRules) -> None:
        """Put other contact rules in force in this process (a test configures the policy this way)."""
        self.__dict__["contact_rules"] = rules
        self.__dict__.pop("policy", None)

    def dispatch(self, effects: Sequence[Effect]) -> None:
        jobs.dispatch(self.queue, self.redis, self.settings, effects)

    def validate(self) -> None:
        """Load every operator-edited file now, so an invalid one stops the process at start, with its line."""
        self.policy  # noqa: B018  (the playbook and the contact rules)
        quick_replies.load()  # the WhatsApp buttons

    def close(self) -> None:
        if "engine" in self.__dict__:
            self.engine.dispose()
        if "redis" in self.__dict__:
            self.redis.close()


def _client(url: str) -> redis.Redis:
    """A Redis client as every process uses one: short timeouts, so a Redis that is away is soon said."""
    return redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=1, health_check_interval=30)


@cache
def _redis_at(url: str) -> redis.Redis:
    return _client(url)


def shared_redis(settings: Settings) -> redis.Redis:
    """The Redis every process shares, for a door that has only its settings (one client per URL)."""
    return _redis_at(settings.redis_url)


def verifier(settings: Settings) -> Verifier:
    """The one-time codes of these settings: their Redis (shared by every process), under the app's secret
    and the queue's namespace (two deployments on one Redis keep apart)."""
    return Verifier(_redis_at(settings.redis_url), settings.secret_key or "", settings.job_queue)


def build(settings: Settings | None = None) -> Runtime:
    """A runtime for these settings (default: the environment's)."""
    return Runtime(settings or Settings.from_env())


@cache
def for_process() -> Runtime:
    """The runtime of a long-lived process that is not the web app: the worker and the action server."""
    return build()


def current() -> Runtime:
    """The web app's runtime, inside a request or app context; elsewhere the process's."""
    if has_app_context():
        found: Runtime = current_app.extensions[EXTENSION]
        return found
    return for_process()
