"""The contact policy: may we contact this debtor, on this channel, at this moment — and if not, why not."""

from cobranza.policy.verdict import *  # noqa: F403  (temporary facade)
from cobranza.policy.verdict import _holidays, _window_verdict  # noqa: F401
