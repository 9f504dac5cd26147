"""A number typed in reply to a list of choices ("1", "option 2") on channels without buttons."""
import json
import re
from typing import Any, Dict, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.answers import ActionAnswerFaq
from actions.conversation import ActionRecordFeedback
from actions.scope import ActionListQuestions

PAYLOAD = re.compile(r"^/(\w+)(\{.*\})?$")


def payload_message(payload: Text) -> Dict[Text, Any]:
    """The parse Rasa would make of a button payload: /intent{"entity": "value"}."""
    match = PAYLOAD.match(payload or "")
    if not match:
        return {}
    entities = json.loads(match.group(2)) if match.group(2) else {}
    return {"text": payload, "intent": {"name": match.group(1), "confidence": 1.0},
            "entities": [{"entity": k, "value": v} for k, v in entities.items()]}


class ActionChooseNumber(Action):
    HANDLERS = {"choose_answer": ActionAnswerFaq, "feedback": ActionRecordFeedback,
                "ask_capabilities": ActionListQuestions}

    def name(self) -> Text:
        return "action_choose_number"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]):
        choices = tracker.get_slot("choices") or []
        number = re.search(r"\d+", tracker.latest_message.get("text") or "")
        index = int(number.group()) - 1 if number else -1
        if not 0 <= index < len(choices):
            dispatcher.utter_message(response="utter_choose_again")
            return []
        message = payload_message(choices[index])
        intent = (message.get("intent") or {}).get("name")
        if intent == "none_of_these":
            dispatcher.utter_message(response="utter_none_of_these")
            return []
        handler = self.HANDLERS.get(intent)
        if handler is None:
            dispatcher.utter_message(response="utter_choose_again")
            return []
        chosen = tracker.copy()
        chosen.latest_message = message
        return handler().run(dispatcher, chosen, domain)
