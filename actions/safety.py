"""Emergency and crisis help first; a kind boundary for personal medical advice."""
from typing import Any, Dict, Text

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.answers import send
from actions.replies import (
    ReplyAction,
    answer_messages,
    help_lines,
    ranked_answer_ids,
    title_buttons,
    top_answer,
)

# The answer ranking's confidence above which the top answer is offered after the advice boundary.
RELATED_ANSWER_THRESHOLD = 0.7
# After an emergency line, a question asked in the same message is still answered when the
# classifiers are this sure of it ("what is NED? also my chest hurts"): help first, then the answer.
ALSO_ANSWER_THRESHOLD = 0.9
# When only the classifier hinted at danger, below its threshold: answer after the safety note if the
# answer ranking is at least this sure (AnswerGate's serve threshold).
UNSURE_ANSWER_THRESHOLD = 0.6


class ActionSafetyHelp(ReplyAction):
    """Emergency or crisis: where to get help now, in the configured region's words and numbers."""

    def name(self) -> Text:
        return "action_safety_help"

    def reply(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]):
        message = tracker.latest_message or {}
        category = (message.get("intent") or {}).get("name")
        lines = help_lines()
        safety = message.get("safety") or {}
        rule = (safety.get("pattern") or {}).get("rule")
        if safety.get("certain") is False:
            return self.note_then_answer(dispatcher, tracker, lines)
        if category == "crisis":
            dispatcher.utter_message(text=lines["crisis"])
            return [SlotSet("outcome", category)]
        category = "emergency"
        dispatcher.utter_message(text=lines["fever_on_treatment" if rule == "fever_on_treatment" else "emergency"])
        events = [SlotSet("outcome", category)]
        classifier = safety.get("classifier") or {}
        if classifier.get("name") == "faq" and classifier.get("confidence", 0) >= ALSO_ANSWER_THRESHOLD:
            answer = top_answer(tracker, ALSO_ANSWER_THRESHOLD)
            if answer is not None:
                send(dispatcher, answer_messages(answer, lead="About your question:"))
                events.append(SlotSet("last_answer_id", answer.id))
        return events


    @staticmethod
    def note_then_answer(dispatcher, tracker, lines):
        """Only the classifier hinted at danger, and not surely: where to get help, then the question."""
        dispatcher.utter_message(text=lines["safety_note"])
        answer = top_answer(tracker, UNSURE_ANSWER_THRESHOLD)
        if answer is None:
            dispatcher.utter_message(response="utter_not_sure")
            return [SlotSet("outcome", "safety_note")]
        send(dispatcher, answer_messages(answer))
        return [SlotSet("outcome", "safety_note"), SlotSet("last_answer_id", answer.id)]


class ActionMedicalAdvice(ReplyAction):
    """Personal decisions, doses, symptoms, results: general information only, ask the care team; then
    the related vetted answer when the answer ranking is confident one exists."""

    def name(self) -> Text:
        return "action_medical_advice"

    def reply(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]):
        dispatcher.utter_message(response="utter_medical_advice")
        ids = ranked_answer_ids(tracker)
        events = [SlotSet("outcome", "advice")]
        related = top_answer(tracker, RELATED_ANSWER_THRESHOLD)
        if related is not None:
            send(dispatcher, answer_messages(related, lead="General information from the article that may be related:"))
            events.append(SlotSet("last_answer_id", related.id))
        elif ids:
            dispatcher.utter_message(text="Questions I can answer that may be related:",
                                     buttons=title_buttons(ids[:2]))
        return events
