"""Reading Rasa's tracker events: what a user message was, how it was decided, what came of it."""
import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Tuple

# The `outcome` slot values the actions set (actions/*.py), grouped into what staff filter by.
SLOT_OUTCOMES = {
    "answered": "answered", "chosen": "answered", "follow_up": "answered", "safety_note": "answered",
    "did_you_mean": "did_you_mean",
    "not_covered": "not_covered", "answer_unavailable": "not_covered", "follow_up_without_topic": "not_covered",
    "emergency": "emergency", "crisis": "emergency",
    "advice": "advice",
    "feedback": "feedback",
    "unavailable": "fallback",  # the action server could not answer (runtime/processor.py)
}
# Replies that set no outcome slot (plain responses and Rasa's own fallback).
ACTION_OUTCOMES = {
    "utter_out_of_scope": "out_of_scope", "utter_not_sure": "out_of_scope",
    "action_default_fallback": "fallback", "utter_default": "fallback",
}


def when(timestamp: Optional[float]) -> dt.datetime:
    return dt.datetime.utcfromtimestamp(timestamp or 0)


def load(data: Optional[str]) -> Dict[str, Any]:
    try:
        value = json.loads(data or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def is_button_payload(text: str) -> bool:
    return text.startswith("/")


@dataclass
class Decision:
    """How the NLU decided on one message: intent, answer (for FAQ questions) and runners-up."""
    intent: Optional[str] = None
    intent_confidence: Optional[float] = None
    answer_id: Optional[str] = None
    answer_confidence: Optional[float] = None
    runners_up: List[Tuple[str, float]] = field(default_factory=list)

    @property
    def confidence(self) -> Optional[float]:
        # For a question the article may answer, the answer's confidence is what decided the reply.
        return self.answer_confidence if self.answer_id else self.intent_confidence


def decision(parse_data: Dict[str, Any]) -> Decision:
    intent = parse_data.get("intent") or {}
    result = Decision(intent=intent.get("name"), intent_confidence=intent.get("confidence"))
    faq = (parse_data.get("response_selector") or {}).get("faq") or {}
    ranking = [(r.get("intent_response_key", ""), r.get("confidence") or 0.0) for r in faq.get("ranking") or []]
    ranking = [(key.split("/", 1)[1], conf) for key, conf in ranking if "/" in key]
    if ranking and (result.intent == "faq" or result.intent == "nlu_fallback"):
        result.answer_id, result.answer_confidence = ranking[0]
        result.runners_up = ranking[1:4]
    return result


def bot_parts(data: Dict[str, Any]) -> Tuple[str, List[str]]:
    """(text, links) of a bot message: links are the URL buttons it carried."""
    buttons = ((data.get("data") or {}).get("buttons")) or []
    links = [b.get("url") or b.get("payload") for b in buttons
             if isinstance(b, dict) and str(b.get("url") or b.get("payload") or "").startswith("http")]
    return data.get("text") or "", links
