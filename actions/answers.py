"""Serve a vetted answer: its verbatim text from the content store and a link to the full article."""
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from mbc.links import passage_link
from mbc.store import ServedAnswer, find_answer

RETRIEVAL_INTENT = "faq"
READ_MORE = "Read the full article"


def chosen_answer_id(tracker: Tracker) -> Optional[str]:
    """The answer id the ResponseSelector picked for the latest message ("faq/<id>" -> "<id>")."""
    selector = (tracker.latest_message or {}).get("response_selector", {}).get(RETRIEVAL_INTENT, {})
    key = (selector.get("response") or {}).get("intent_response_key") or ""
    prefix = RETRIEVAL_INTENT + "/"
    return key[len(prefix):] if key.startswith(prefix) else None


def answer_messages(answer: ServedAnswer) -> List[Dict[Text, Any]]:
    """The verbatim answer, then the link: a button for rich clients and the bare URL for text-only ones."""
    link = passage_link(answer.article_url, answer.text)
    return [
        {"text": answer.text},
        {"text": f"{READ_MORE}, “{answer.article_title}” by {answer.publisher}: {link}",
         "buttons": [{"title": READ_MORE, "type": "web_url", "url": link, "payload": link}]},
    ]


class ActionAnswerFaq(Action):
    def name(self) -> Text:
        return "action_answer_faq"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]):
        answer_id = chosen_answer_id(tracker)
        answer = find_answer(answer_id) if answer_id else None
        if answer is None or answer.status != "approved":
            # Never send empty or unvetted text: say so kindly instead.
            dispatcher.utter_message(response="utter_answer_unavailable")
            return []
        for message in answer_messages(answer):
            dispatcher.utter_message(**message)
        return []
