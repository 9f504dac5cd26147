"""`rasa`, as this project runs its servers: Rasa's own command line, with the agent built on
mbc.processor.FallbackProcessor (a kind reply when the action server is down). Rasa has no setting
for its processor class, so the one name the agent uses is rebound before Rasa starts.
Usage: python -m mbc.rasa_main run --model ... (the same arguments as `rasa`)."""
from functools import lru_cache

import rasa.core.agent
from rasa.__main__ import main
from rasa.shared.core.events import Event

from mbc.processor import FallbackProcessor

rasa.core.agent.MessageProcessor = FallbackProcessor
# Rasa finds an event's class by walking every subclass of Event, for each event it reads back from the
# tracker store (5% of the server's CPU per message under load). The classes are all imported by now,
# so the answer for a type name never changes: remember it.
Event.resolve_by_type = staticmethod(lru_cache(maxsize=None)(Event.resolve_by_type))

if __name__ == "__main__":
    main()
