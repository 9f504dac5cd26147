"""Two Rasa NLU components that run after the classifiers and decide what a message may get.

SafetyOverride: reviewed spaCy patterns (data/safety/patterns.yml) set the intent to `emergency` or
  `crisis` whatever the classifier said; so does a classifier that gives either enough confidence,
  wherever it ranks it, even below the fallback threshold. Either route alone is enough: safety never rests on one classifier's confidence.
AnswerGate: Rasa's FallbackClassifier judges only the intent confidence, so a message can reach `faq`
  at 0.99 and then a wrong answer. The gate also judges the answer ranking (its confidence and its
  lead over the runner-up); otherwise the intent becomes `nlu_fallback` with the candidates worth
  offering as "Did you mean...?".
Thresholds are set in config.yml and tuned by measure/tune_thresholds.py on validation data only.
"""
from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from understanding.normaliser import ORIGINAL_TEXT
from understanding.safety_patterns import SafetyPatterns
from understanding.spacy_pipeline import load_pipeline

SAFETY_INTENTS = ("crisis", "emergency")
FALLBACK = "nlu_fallback"
RETRIEVAL_INTENT = "faq"


def _set_intent(message: Message, name: str, confidence: float) -> None:
    ranking = [r for r in (message.get("intent_ranking") or []) if r.get("name") != name]
    message.set("intent", {"name": name, "confidence": confidence}, add_to_output=True)
    message.set("intent_ranking", [{"name": name, "confidence": confidence}] + ranking, add_to_output=True)


def _top_classified(message: Message) -> Optional[Dict[Text, Any]]:
    """The classifier's best intent, looking past the nlu_fallback the FallbackClassifier put on top."""
    return next((r for r in (message.get("intent_ranking") or []) if r.get("name") != FALLBACK), None)


class _Stateless(GraphComponent):
    def __init__(self, config: Dict[Text, Any]) -> None:
        self.config = config

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> GraphComponent:
        return cls(config)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class SafetyOverride(_Stateless):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        # A classifier's emergency/crisis guess counts from this confidence up, even below the fallback.
        return {"classifier_threshold": 0.85, "hint_threshold": 0.3}

    def __init__(self, config: Dict[Text, Any]) -> None:
        super().__init__(config)
        self.patterns = SafetyPatterns(load_pipeline())  # read at model load: no retraining to update

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            if (message.get("text") or "").startswith("/"):
                continue  # a button payload: the user chose it
            # The message as typed, and as the normaliser read it (a corrected spelling can match too).
            text = message.get("text") or ""
            typed = message.get(ORIGINAL_TEXT) or text
            match = self.patterns.detect(typed) or (self.patterns.detect(text) if text != typed else None)
            top = _top_classified(message)
            # The classifier's emergency/crisis score wherever it ranks them, not only first: a message
            # that is mostly a question and partly a cry for help still gets help first.
            safest = max((r for r in message.get("intent_ranking") or [] if r.get("name") in SAFETY_INTENTS),
                         key=lambda r: r["confidence"], default=None)
            by_classifier = safest is not None and safest["confidence"] >= self.config["classifier_threshold"]
            unsure = (match is None and not by_classifier and safest is not None
                      and safest["confidence"] >= self.config["hint_threshold"])
            if match is None and not by_classifier and not unsure:
                continue
            category = match.category if match else safest["name"]
            _set_intent(message, category, 1.0 if match else safest["confidence"])
            # certain: a reviewed pattern or a confident classifier. Unsure (the classifier's top intent,
            # below its threshold, no pattern): the action gives a safety note and still answers.
            message.set("safety", {"category": category, "certain": not unsure,
                                   "pattern": {"rule": match.rule, "matched": match.matched} if match else None,
                                   "classifier": top}, add_to_output=True)
        return messages


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class AnswerGate(_Stateless):
    """Serve an answer only when the `faq` intent and the answer ranking are both sure of it and the
    answer is clearly ahead of the runner-up; offer the close ones as "Did you mean"; else nothing."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"faq_intent_threshold": 0.5, "serve_threshold": 0.6, "margin": 0.2,
                "suggest_intent_threshold": 0.3, "suggest_threshold": 0.2, "max_suggestions": 3}

    def __init__(self, config: Dict[Text, Any]) -> None:
        super().__init__({**self.get_default_config(), **config})

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            intent = (message.get("intent") or {}).get("name")
            if intent not in (RETRIEVAL_INTENT, FALLBACK) or (message.get("text") or "").startswith("/"):
                continue
            decision = self.decide(message)
            message.set("answer_gate", decision, add_to_output=True)
            if intent == RETRIEVAL_INTENT and decision["decision"] != "serve":
                _set_intent(message, FALLBACK, decision["intent_confidence"])
        return messages

    def decide(self, message: Message, config: Optional[Dict[Text, Any]] = None) -> Dict[Text, Any]:
        c = {**self.config, **(config or {})}
        top = _top_classified(message) or {}
        faq_confidence = top.get("confidence", 0.0) if top.get("name") == RETRIEVAL_INTENT else 0.0
        ranking = ((message.get("response_selector") or {}).get(RETRIEVAL_INTENT) or {}).get("ranking") or []
        ids = [r["intent_response_key"].split("/", 1)[1] for r in ranking]
        first = ranking[0]["confidence"] if ranking else 0.0
        second = ranking[1]["confidence"] if len(ranking) > 1 else 0.0
        if faq_confidence >= c["faq_intent_threshold"] and first >= c["serve_threshold"] \
                and first - second >= c["margin"] and ids:
            verdict = "serve"
        elif faq_confidence >= c["suggest_intent_threshold"] and first >= c["suggest_threshold"]:
            verdict = "suggest"
        else:
            verdict = "reject"
        candidates = [i for i, r in zip(ids[:c["max_suggestions"]], ranking)
                      if r["confidence"] >= c["suggest_threshold"]] if verdict == "suggest" else []
        return {"decision": verdict if verdict != "suggest" or candidates else "reject",
                "intent_confidence": faq_confidence, "answer_confidence": first, "runner_up": second,
                "candidates": candidates}
