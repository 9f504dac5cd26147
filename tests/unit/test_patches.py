"""runtime/patches.py: the server starts only when each change to Rasa's runtime takes effect. Each
case runs in its own Python process (the patches change Rasa's classes for the whole process)."""
import subprocess
import sys
import textwrap

import settings
from scripts.stack import MODEL


def run(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=settings.ROOT, capture_output=True,
                          text=True, timeout=300, env={"PATH": "/usr/bin:/bin", "TF_CPP_MIN_LOG_LEVEL": "3"})


def test_an_agent_loaded_after_the_patches_runs_this_projects_processor_and_graph_runner():
    result = run(f"""
        from runtime import patches
        patches.apply()
        from rasa.core.agent import Agent
        agent = Agent.load({str(MODEL)!r})
        print(type(agent.processor).__name__, type(agent.processor.graph_runner).__name__)
    """)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split()[-2:] == ["FallbackProcessor", "SequentialGraphRunner"]


def test_another_rasa_version_stops_the_server():
    result = run("""
        import rasa
        rasa.__version__ = "3.6.99"
        from runtime import patches
        patches.apply()
    """)
    assert result.returncode != 0 and "Rasa 3.6.99 is installed" in result.stderr


def test_a_rasa_that_no_longer_looks_a_name_up_stops_the_server():
    result = run("""
        from rasa.core.agent import Agent
        def load_model(self, model_path, fingerprint=None):  # builds its processor some other way
            self.processor = object()
        Agent.load_model = load_model
        from runtime import patches
        patches.apply()
    """)
    assert result.returncode != 0
    assert "Agent.load_model no longer builds MessageProcessor by name" in result.stderr


def test_the_server_entry_point_applies_them():
    result = run("""
        import runpy, sys
        sys.argv = ["rasa", "--version"]
        try:
            runpy.run_module("runtime", run_name="__main__")
        except SystemExit:
            pass
        import rasa.core.agent
        from runtime.processor import FallbackProcessor
        print(rasa.core.agent.MessageProcessor is FallbackProcessor)
    """)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split()[-1] == "True"
