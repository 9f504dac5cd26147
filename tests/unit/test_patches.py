"""runtime/patches.py: the server starts only when each change to Rasa's runtime takes effect.

The patches change Rasa's classes for the whole process: each test first registers every name they
rebind with pytest's monkeypatch, which puts Rasa's own back when the test ends."""
import contextlib
import runpy
import sys

import pytest
import rasa
import rasa.core.agent
import rasa.core.processor
from rasa.core.agent import Agent
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import Event

from runtime import patches
from scripts.stack import MODEL


@pytest.fixture
def restored(monkeypatch):
    """Rasa's own names come back after the test, whatever the patches did to them."""
    monkeypatch.setattr(rasa.core.agent, "MessageProcessor", rasa.core.agent.MessageProcessor)
    monkeypatch.setattr(rasa.core.processor, "DaskGraphRunner", rasa.core.processor.DaskGraphRunner)
    monkeypatch.setattr(Event, "resolve_by_type", Event.__dict__["resolve_by_type"])
    monkeypatch.setattr(Domain, "is_empty", Domain.is_empty)
    return monkeypatch


def test_an_agent_loaded_after_the_patches_runs_this_projects_processor_and_graph_runner(restored):
    patches.apply()
    assert patches.problems() == []
    agent = Agent.load(str(MODEL))
    assert type(agent.processor).__name__ == "FallbackProcessor"
    assert type(agent.processor.graph_runner).__name__ == "SequentialGraphRunner"


def test_another_rasa_version_stops_the_server(restored):
    restored.setattr(rasa, "__version__", "3.6.99")
    with pytest.raises(patches.PatchError, match="Rasa 3.6.99 is installed"):
        patches.apply()


def test_a_rasa_that_no_longer_looks_a_name_up_stops_the_server(restored):
    def load_model(self, model_path, fingerprint=None):  # builds its processor some other way
        self.processor = object()

    restored.setattr(Agent, "load_model", load_model)
    with pytest.raises(patches.PatchError, match="Agent.load_model no longer builds MessageProcessor by name"):
        patches.apply()


def test_a_patch_that_did_not_take_is_named(restored):
    patches.apply()
    restored.setattr(rasa.core.processor, "DaskGraphRunner", object)
    assert patches.problems() == ["rasa.core.processor.DaskGraphRunner is not this project's version"]


def test_the_server_entry_point_applies_them(restored, capsys):
    restored.setattr(sys, "argv", ["rasa", "--version"])
    with contextlib.suppress(SystemExit):  # Rasa's command line may exit after printing
        runpy.run_module("runtime", run_name="__main__")
    assert rasa.core.agent.MessageProcessor.__name__ == "FallbackProcessor"
    assert rasa.__version__ in capsys.readouterr().out
