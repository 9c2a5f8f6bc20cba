"""What one process shares: settings, the database engine, the session factory.

Built once per app (or CLI run) and kept on ``app.extensions`` so tests can run
several apps against different databases in one process.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import redis
from flask import current_app
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from cobranza.delivery import live, queue as jobs
from cobranza.db import make_engine, make_session_factory
from cobranza.outreach.playbook import Playbook
from cobranza.outreach.playbook import load as load_playbook
from cobranza.core.settings import Settings


@dataclass
class Runtime:
    settings: Settings

    @cached_property
    def engine(self) -> Engine:
        return make_engine(self.settings.database_url)

    @cached_property
    def sessions(self) -> sessionmaker[Session]:
        factory = make_session_factory(self.engine)
        # E-mails queued in a transaction go to the workers as soon as it commits.
        jobs.kick_after_commit(factory, self.redis, self.settings)
        # Timeline events reach the agents' open pages as soon as they are committed.
        live.publish_after_commit(factory, self.redis, self.settings)
        return factory

    @cached_property
    def redis(self) -> redis.Redis:
        return redis.Redis.from_url(
            self.settings.redis_url, socket_timeout=2, socket_connect_timeout=1, health_check_interval=30
        )

    @cached_property
    def playbook(self) -> Playbook:
        """The playbook in use (PLAYBOOK), validated when first needed; an invalid one stops here."""
        return load_playbook(self.settings.playbook)

    def close(self) -> None:
        if "engine" in self.__dict__:
            self.engine.dispose()
        if "redis" in self.__dict__:
            self.redis.close()


def runtime() -> Runtime:
    return current_app.extensions["cobranza"]
