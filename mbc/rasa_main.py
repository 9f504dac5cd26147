"""`rasa`, as this project runs its servers: Rasa's own command line, with the agent built on
mbc.processor.FallbackProcessor (a kind reply when the action server is down). Rasa has no setting
for its processor class, so the one name the agent uses is rebound before Rasa starts.
Usage: python -m mbc.rasa_main run --model ... (the same arguments as `rasa`)."""
import rasa.core.agent
from rasa.__main__ import main

from mbc.processor import FallbackProcessor

rasa.core.agent.MessageProcessor = FallbackProcessor

if __name__ == "__main__":
    main()
