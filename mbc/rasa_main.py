"""`rasa`, as this project runs its servers: Rasa's own command line, with the agent built on
mbc.processor.FallbackProcessor (a kind reply when the action server is down) running the model with
mbc.graph_runner.SequentialGraphRunner (no dask scheduling per message), and RulePolicy reading the
conversation's latest states the cheap way (mbc.rule_states: same states, same predictions). Rasa has
no setting for any of these, so the one name Rasa uses for each is rebound before Rasa starts.
Usage: python -m mbc.rasa_main run --model ... (the same arguments as `rasa`)."""
from functools import lru_cache

import rasa.core.agent
import rasa.core.processor
from rasa.__main__ import main
from rasa.core.policies.rule_policy import RulePolicy
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import Event

from mbc.graph_runner import SequentialGraphRunner
from mbc.processor import FallbackProcessor
from mbc.rule_states import recent_prediction_states, remembered_possible_keys

rasa.core.agent.MessageProcessor = FallbackProcessor
rasa.core.processor.DaskGraphRunner = SequentialGraphRunner
RulePolicy._prediction_states = recent_prediction_states
RulePolicy._get_possible_keys = remembered_possible_keys
# Rasa finds an event's class by walking every subclass of Event, for each event it reads back from the
# tracker store (5% of the server's CPU per message under load). The classes are all imported by now,
# so the answer for a type name never changes: remember it.
Event.resolve_by_type = staticmethod(lru_cache(maxsize=None)(Event.resolve_by_type))

# Rasa checks, for every message, whether the domain is empty by building an empty Domain and
# comparing both as dicts (2% of the server's CPU under load). The server's domain never changes once
# loaded: the answer is kept on the domain object.
_domain_is_empty = Domain.is_empty


def _is_empty_once(domain: Domain) -> bool:
    if "_mbc_is_empty" not in domain.__dict__:
        domain.__dict__["_mbc_is_empty"] = _domain_is_empty(domain)
    return domain.__dict__["_mbc_is_empty"]


Domain.is_empty = _is_empty_once

if __name__ == "__main__":
    main()
