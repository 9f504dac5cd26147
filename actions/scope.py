"""Honest fallback: "Did you mean...?", "no vetted answer on that", and the list of questions."""
from typing import Any, Dict, List, Text

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.replies import ReplyAction, ranked_answer_ids, title_buttons
from content.store import approved_titles

NONE_OF_THESE = {"title": "None of these", "payload": "/none_of_these"}
ALL_QUESTIONS = {"title": "Show all questions", "payload": "/ask_capabilities"}


def gate(tracker: Tracker) -> Dict[Text, Any]:
    return (tracker.latest_message or {}).get("answer_gate") or {}


def not_covered(dispatcher: CollectingDispatcher, suggestions: List[Text]) -> None:
    dispatcher.utter_message(response="utter_not_covered")
    buttons = title_buttons(suggestions[:3]) + [ALL_QUESTIONS]
    dispatcher.utter_message(text="Questions I can answer:", buttons=buttons)


class ActionClarify(ReplyAction):
    """The message may be about an answer, but not surely: offer the candidates, or say it isn't covered."""

    def name(self) -> Text:
        return "action_clarify"

    def reply(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]):
        candidates = gate(tracker).get("candidates") or []
        buttons = title_buttons(candidates)
        if buttons:
            dispatcher.utter_message(response="utter_did_you_mean", buttons=buttons + [NONE_OF_THESE])
            return [SlotSet("outcome", "did_you_mean")]
        not_covered(dispatcher, [])
        return [SlotSet("outcome", "not_covered")]


class ActionNotCovered(ReplyAction):
    """A health question the article does not answer: say so, never serve another answer's text."""

    def name(self) -> Text:
        return "action_not_covered"

    def reply(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]):
        not_covered(dispatcher, ranked_answer_ids(tracker))
        return [SlotSet("outcome", "not_covered")]


class ActionListQuestions(ReplyAction):
    def name(self) -> Text:
        return "action_list_questions"

    def reply(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]):
        dispatcher.utter_message(response="utter_capabilities")
        titles = approved_titles()
        dispatcher.utter_message(text="Questions I can answer:", buttons=title_buttons(titles, titles))
        return []
