"""The sequential graph runner gives the same results as Rasa's dask runner on the trained model:
the NLU pipeline on messages and the policies on a conversation."""
import tempfile
from pathlib import Path

import pytest
from rasa.core.channels.channel import UserMessage
from rasa.engine.constants import PLACEHOLDER_MESSAGE, PLACEHOLDER_TRACKER
from rasa.engine.exceptions import GraphRunError
from rasa.engine.loader import load_predict_graph_runner
from rasa.engine.runner.dask import DaskGraphRunner
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SessionStarted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from runtime.graph_runner import SequentialGraphRunner
from scripts.stack import MODEL


@pytest.fixture(scope="module")
def runners():
    loaded = {}
    for cls in (DaskGraphRunner, SequentialGraphRunner):
        with tempfile.TemporaryDirectory() as tmp:
            loaded[cls] = load_predict_graph_runner(Path(tmp), MODEL, LocalModelStorage, cls)
    return loaded


def plain(message) -> dict:
    """A parsed message's data, with spaCy docs and tokens by their text (they compare by identity)."""
    data = message.as_dict()
    data["text_spacy_doc"] = str(data.get("text_spacy_doc"))
    data["text_tokens"] = [(t.text, t.start, t.end, t.lemma) for t in data.get("text_tokens") or []]
    return data


def comparable(results):
    """Messages and predictions compared by their content, not identity."""
    out = {}
    for name, value in results.items():
        if isinstance(value, list) and value and hasattr(value[0], "as_dict"):
            value = [plain(v) for v in value]
        elif hasattr(value, "probabilities"):
            value = (value.policy_name, value.probabilities, value.events, value.is_end_to_end_prediction)
        out[name] = value
    return out


@pytest.mark.parametrize("text", ["what is stable disease", "hello", "my chest hurts and i cant breathe",
                                  "where do eggs come from", "🙂", "2"])
def test_nlu_results_match_dask(runners, text):
    outputs = []
    for cls, (metadata, runner) in runners.items():
        outputs.append(comparable(runner.run(inputs={PLACEHOLDER_MESSAGE: [UserMessage(text, message_id="m1")]},
                                             targets=[metadata.nlu_target])))
    assert outputs[0] == outputs[1]
    assert outputs[0]  # the NLU target produced the parsed message


def test_policy_prediction_matches_dask(runners):
    metadata, _ = runners[DaskGraphRunner]
    domain = Domain.from_dict(metadata.domain.as_dict())
    tracker = DialogueStateTracker.from_events("t", [
        ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen"),
        UserUttered("what is stable disease", {"name": "faq", "confidence": 0.99})], domain.slots)
    predictions = [comparable(runner.run(inputs={PLACEHOLDER_TRACKER: tracker}, targets=[md.core_target]))
                   for md, runner in runners.values()]
    assert predictions[0] == predictions[1]


def test_input_clashing_with_a_node_is_refused_as_by_dask(runners):
    metadata, runner = runners[SequentialGraphRunner]
    with pytest.raises(GraphRunError):
        runner.run(inputs={PLACEHOLDER_MESSAGE: metadata.nlu_target}, targets=[metadata.nlu_target])
