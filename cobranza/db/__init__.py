"""The database: engine, units of work, the models by aggregate, migrations, bulk writes, SQL time."""

from cobranza.db.engine import for_writing, make_engine, make_session_factory, transaction

__all__ = ["for_writing", "make_engine", "make_session_factory", "transaction"]
