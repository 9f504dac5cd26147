"""Serve vetted answers: the one the answer ranking chose, one picked from a button, or a follow-up."""
from typing import Any, Dict, List, Optional, Text, Tuple

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.replies import (
    READ_MORE,
    ReplyAction,
    answer_messages,
    approved,
    link_button,
    title_buttons,
)
from content.links import passage_link
from content.store import ServedAnswer, Snapshot, snapshot

RETRIEVAL_INTENT = "faq"


def chosen_answer_id(tracker: Tracker) -> Optional[Text]:
    """The answer id of the latest message: a button's entity, else the answer ranking's top pick."""
    message = tracker.latest_message or {}
    if (message.get("intent") or {}).get("name") == "choose_answer":
        return next((e.get("value") for e in message.get("entities") or [] if e.get("entity") == "answer_id"), None)
    selector = (message.get("response_selector") or {}).get(RETRIEVAL_INTENT) or {}
    key = (selector.get("response") or {}).get("intent_response_key") or ""
    prefix = RETRIEVAL_INTENT + "/"
    return key[len(prefix):] if key.startswith(prefix) else None


def send(dispatcher: CollectingDispatcher, messages: List[Dict[Text, Any]]) -> None:
    for message in messages:
        dispatcher.utter_message(**message)


def serve(dispatcher, answer: ServedAnswer, outcome: Text, lead: Optional[Text] = None) -> List[Dict]:
    send(dispatcher, answer_messages(answer, lead))
    return [SlotSet("last_answer_id", answer.id), SlotSet("outcome", outcome)]


class ActionAnswerFaq(ReplyAction):
    def name(self) -> Text:
        return "action_answer_faq"

    def reply(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]):
        answer = approved(chosen_answer_id(tracker))
        if answer is None:
            # Never send empty or unvetted text: say so kindly instead.
            dispatcher.utter_message(response="utter_answer_unavailable")
            return [SlotSet("outcome", "answer_unavailable")]
        chosen = (tracker.latest_message.get("intent") or {}).get("name") == "choose_answer"
        return serve(dispatcher, answer, "chosen" if chosen else "answered")


def section_neighbours(content: Snapshot, answer_id: Text) -> List[Tuple[int, Text]]:
    """(position, id) of the other answers in this answer's section, in article order."""
    if answer_id not in content.placement:
        return []
    section = content.placement[answer_id][0]
    return sorted((p, i) for i, (s, p) in content.placement.items() if s == section and i != answer_id)


def next_in_article(answer_id: Text) -> Optional[Text]:
    """The approved answer that follows this one in the same section of the article ("tell me more").
    Answers may overlap (is_mbc_curable contains what_is_stable_disease): skip what was just read."""
    content = snapshot()
    neighbours = section_neighbours(content, answer_id)
    if not neighbours:
        return None
    position, titles = content.placement[answer_id][1], content.approved_titles()
    current = content.answers[answer_id].text
    return next((i for p, i in neighbours
                 if p > position and i in titles and content.answers[i].text not in current), None)


def same_section(answer_id: Text, limit: int = 3) -> List[Text]:
    content = snapshot()
    titles = content.approved_titles()
    return [i for _, i in section_neighbours(content, answer_id) if i in titles][:limit]


class ActionFollowUp(ReplyAction):
    """'Tell me more' / 'what does that mean?' about the last answer. The assistant may not explain in
    its own words: it serves the article's next passage, or points to the passage in context and to
    related questions it can answer."""

    def name(self) -> Text:
        return "action_follow_up"

    def reply(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]):
        last = approved(tracker.get_slot("last_answer_id"))
        if last is None:
            dispatcher.utter_message(response="utter_follow_up_without_topic")
            return [SlotSet("outcome", "follow_up_without_topic")]
        wants_more = (tracker.latest_message.get("intent") or {}).get("name") == "tell_more"
        following = approved(next_in_article(last.id)) if wants_more else None
        if following is not None:
            return serve(dispatcher, following, "follow_up", lead="Here is what the article says next:")
        link = passage_link(last.article_url, last.text)
        dispatcher.utter_message(response="utter_only_article_words", buttons=[link_button(link)])
        dispatcher.utter_message(text=f"{READ_MORE}: {link}")
        related = same_section(last.id)
        if related:
            dispatcher.utter_message(text="Related questions I can answer:", buttons=title_buttons(related))
        return [SlotSet("outcome", "follow_up")]
