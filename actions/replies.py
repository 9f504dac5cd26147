"""How the assistant's replies are built: the verbatim answer with its link, question-title buttons,
the feedback question. One place, so every action and channel renders content the same way."""
from abc import ABCMeta, abstractmethod
from functools import lru_cache
from typing import Any, Dict, Iterable, List, Optional, Text, Tuple

import yaml
from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

import settings
from channels.render import is_link
from content.links import passage_link
from content.store import ServedAnswer, approved_titles, find_answer, snapshot
from settings import ROOT

READ_MORE = "Read the full article"
HELP_LINES_FILE = ROOT / "data" / "safety" / "help_lines.yml"


def choose_payload(answer_id: Text) -> Text:
    # Rasa can't trigger a retrieval sub-intent (faq/<id>) from a payload, so buttons send this
    # intent with the answer id as an entity, and action_answer_faq serves it.
    return f'/choose_answer{{"answer_id":"{answer_id}"}}'


def answer_messages(answer: ServedAnswer, lead: Optional[Text] = None) -> List[Dict[Text, Any]]:
    """Optional lead-in (our words), the verbatim answer, then the link: a button and the bare URL."""
    link = passage_link(answer.article_url, answer.text)
    messages = [{"text": lead}] if lead else []
    messages.append({"text": answer.text})
    messages.append({"text": f"{READ_MORE}, “{answer.article_title}” by {answer.publisher}: {link}",
                     "buttons": [link_button(link)]})
    messages.append(feedback_question())
    return messages


def link_button(url: Text) -> Dict[Text, Any]:
    # "url" for channels with link buttons; the same URL as payload for those that keep only payloads.
    return {"title": READ_MORE, "type": "web_url", "url": url, "payload": url}


def feedback_question() -> Dict[Text, Any]:
    return {"text": "Was this helpful?",
            "buttons": [{"title": "Yes", "payload": '/feedback{"helpful":"yes"}'},
                        {"title": "No", "payload": '/feedback{"helpful":"no"}'}]}


def title_buttons(answer_ids: Iterable[Text], titles: Optional[Dict[Text, Text]] = None) -> List[Dict[Text, Any]]:
    titles = titles if titles is not None else approved_titles()
    return [{"title": titles[i], "payload": choose_payload(i)} for i in answer_ids if i in titles]


def ranking(tracker: Tracker) -> List[Tuple[Text, float]]:
    """(answer id, confidence) in the answer ranking's order for the latest message."""
    ranked = (((tracker.latest_message or {}).get("response_selector") or {}).get("faq") or {}).get("ranking") or []
    return [(r["intent_response_key"].split("/", 1)[1], r["confidence"]) for r in ranked
            if "/" in r.get("intent_response_key", "")]


def served_articles() -> List[Tuple[Text, Text, Text]]:
    """(title, publisher, canonical URL) of each article with an approved answer, in the store's order."""
    current = snapshot()
    found: Dict[Tuple[Text, Text], Text] = {}
    for answer_id in current.order:
        answer = current.answers[answer_id]
        if answer.status == "approved":
            found.setdefault((answer.article_title, answer.publisher), answer.article_url)
    return [(title, publisher, url) for (title, publisher), url in found.items()]


def _joined(names: List[Text]) -> Text:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def describe_library(articles: List[Tuple[Text, Text, Text]]) -> Tuple[Text, Text]:
    """(sources, publishers) as the replies name them: 'the article “A”', 'the articles “A” and “B”'
    or 'N articles' (more than three), and the publishers joined."""
    if not articles:
        return "its source articles", "its publisher"
    titles = [f"“{title}”" for title, _, _ in articles]
    if len(titles) == 1:
        sources = f"the article {titles[0]}"
    elif len(titles) <= 3:
        sources = f"the articles {_joined(titles)}"
    else:
        sources = f"{len(titles)} articles"
    return sources, _joined(list(dict.fromkeys(publisher for _, publisher, _ in articles)))


def ranked_answer_ids(tracker: Tracker) -> List[Text]:
    return [answer_id for answer_id, _ in ranking(tracker)]


def top_answer(tracker: Tracker, min_confidence: float) -> Optional[ServedAnswer]:
    """The answer ranking's first answer, if it is at least this sure of it and the answer is approved."""
    ranked = ranking(tracker)
    return approved(ranked[0][0]) if ranked and ranked[0][1] >= min_confidence else None


def approved(answer_id: Optional[Text]) -> Optional[ServedAnswer]:
    answer = find_answer(answer_id) if answer_id else None
    return answer if answer is not None and answer.status == "approved" else None


@lru_cache(maxsize=4)
def help_lines(region: Optional[Text] = None) -> Dict[Text, Text]:
    """Emergency and crisis wording for the region in MBC_HELP_LINES (default us)."""
    region = region or settings.get("MBC_HELP_LINES")
    lines = yaml.safe_load(HELP_LINES_FILE.read_text(encoding="utf-8"))
    if region not in lines:
        raise KeyError(f"MBC_HELP_LINES={region!r} is not in {HELP_LINES_FILE}")
    return lines[region]


class ReplyAction(Action, metaclass=ABCMeta):
    """An action whose choice buttons can also be answered by number ("1", "2"...) on channels without
    buttons: the payloads of the last message with choices are kept in the `choices` slot."""

    @abstractmethod
    def reply(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict]:
        """Send the replies and return the events, as Action.run would."""

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict]:
        already = len(dispatcher.messages)
        events = list(self.reply(dispatcher, tracker, domain) or [])
        offered = [[b["payload"] for b in m.get("buttons") or [] if not is_link(b)]
                   for m in dispatcher.messages[already:]]
        offered = [o for o in offered if o]
        if offered:
            events.append(SlotSet("choices", offered[-1]))
        return events
