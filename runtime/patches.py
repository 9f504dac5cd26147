"""The changes this project makes to Rasa's runtime where Rasa 3.6 has no extension point, in one place.

Rasa lets a project name its own components, policies, tracker and lock stores and channels (this
project does: config.yml, endpoints.yml, credentials.yml). It has no setting for these four, so the
name Rasa looks each one up by is rebound before the server starts:

- the message processor (rasa.core.agent.MessageProcessor, built by Agent.load_model):
  runtime.processor.FallbackProcessor sends a kind "try again" reply when the action server fails,
  where Rasa sends nothing;
- the graph runner (rasa.core.processor.DaskGraphRunner, passed by MessageProcessor._load_model):
  runtime.graph_runner.SequentialGraphRunner runs the prediction graph without dask's scheduling;
- Event.resolve_by_type, which walks every Event subclass for each stored event read back, is
  remembered per type name (the classes are all imported by now);
- Domain.is_empty, which builds an empty Domain to compare with on every message, is worked out once
  per loaded domain (the server's domain never changes).

`apply()` rebinds them and checks that they take effect: the installed Rasa is the version they were
verified against, each Rasa function that should look a rebound name up still names it, and each
name now holds this project's version. Anything else stops the server with a message saying what to
do: a patch that silently stopped applying would lose the kind reply without anyone noticing.
A plain `rasa run` works without them (docs/rasa-commands.md says what it loses).
"""
from functools import lru_cache
from typing import Callable, List

import rasa
import rasa.core.agent
import rasa.core.processor
from rasa.core.agent import Agent
from rasa.core.processor import MessageProcessor
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import Event

from runtime.graph_runner import SequentialGraphRunner
from runtime.processor import FallbackProcessor

VERIFIED_RASA = "3.6.21"  # requirements.lock pins it; read this module again before moving it


class PatchError(SystemExit):
    pass


_domain_is_empty = Domain.is_empty


def _is_empty_once(domain: Domain) -> bool:
    if "_mbc_is_empty" not in domain.__dict__:
        domain.__dict__["_mbc_is_empty"] = _domain_is_empty(domain)
    return domain.__dict__["_mbc_is_empty"]


_remembered_resolve_by_type = staticmethod(lru_cache(maxsize=None)(Event.resolve_by_type))


def _names(function: Callable) -> set:
    return set(function.__code__.co_names)


def problems() -> List[str]:
    """What stops the patches from taking effect in the installed Rasa (empty when all is well)."""
    found = []
    if rasa.__version__ != VERIFIED_RASA:
        found.append(f"Rasa {rasa.__version__} is installed; runtime/patches.py was verified against "
                     f"{VERIFIED_RASA} (`make setup` installs requirements.lock)")
    lookups = [
        (Agent.load_model, "MessageProcessor", "Agent.load_model no longer builds MessageProcessor by name"),
        (MessageProcessor._load_model, "DaskGraphRunner", "MessageProcessor._load_model no longer names DaskGraphRunner"),
        (Event.from_parameters, "resolve_by_type", "Event.from_parameters no longer calls Event.resolve_by_type"),
        (MessageProcessor._check_for_unseen_features, "is_empty", "the processor no longer calls Domain.is_empty"),
    ]
    found += [why for function, name, why in lookups if name not in _names(function)]
    rebound = [
        (rasa.core.agent.MessageProcessor is FallbackProcessor, "rasa.core.agent.MessageProcessor"),
        (rasa.core.processor.DaskGraphRunner is SequentialGraphRunner, "rasa.core.processor.DaskGraphRunner"),
        (Event.__dict__["resolve_by_type"] is _remembered_resolve_by_type, "Event.resolve_by_type"),
        (Domain.is_empty is _is_empty_once, "Domain.is_empty"),
    ]
    found += [f"{name} is not this project's version" for ok, name in rebound if not ok]
    return found


def apply() -> None:
    rasa.core.agent.MessageProcessor = FallbackProcessor
    rasa.core.processor.DaskGraphRunner = SequentialGraphRunner
    Event.resolve_by_type = _remembered_resolve_by_type
    Domain.is_empty = _is_empty_once
    wrong = problems()
    if wrong:
        raise PatchError("runtime/patches.py cannot take effect, so the server does not start:\n  - "
                         + "\n  - ".join(wrong))
