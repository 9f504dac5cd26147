"""The start of a conversation (the disclaimer) and feedback on answers."""
from typing import Any, Dict, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.replies import ReplyAction, describe_library, help_lines, served_articles


class ActionSessionStart(Action):
    """Every conversation opens with what the assistant is, and is not, and where to get urgent help."""

    def name(self) -> Text:
        return "action_session_start"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]):
        # The articles and their publishers as the content store has them; the responses that name them
        # read these slots.
        sources, publisher = describe_library(served_articles())
        dispatcher.utter_message(text=help_lines()["disclaimer"].format(sources=sources, publisher=publisher))
        return [SessionStarted(), SlotSet("sources", sources), SlotSet("publisher", publisher),
                ActionExecuted("action_listen")]


class ActionRecordFeedback(ReplyAction):
    """'Was this helpful?': stored as slots on the conversation, for staff reviewing the logs."""

    def name(self) -> Text:
        return "action_record_feedback"

    def reply(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]):
        message = tracker.latest_message or {}
        intent = (message.get("intent") or {}).get("name")
        value = next((e.get("value") for e in message.get("entities") or [] if e.get("entity") == "helpful"), None)
        if value not in ("yes", "no"):
            value = "yes" if intent == "affirm" else "no"
        answer_id = tracker.get_slot("last_answer_id")
        dispatcher.utter_message(response="utter_feedback_yes" if value == "yes" else "utter_feedback_no")
        return [SlotSet("feedback", value), SlotSet("feedback_answer_id", answer_id),
                SlotSet("outcome", "feedback")]
