"""A kind reply to a heavy feeling, and a way to a person when someone asks for one.

Both offer the publisher's own contact options (data/support/contacts.yml, per region like the help
lines), or while it lists none, the publisher's website, read from the content store. The words are
the project's own and make no medical claim; `outcome` records each for staff."""
from functools import lru_cache
from typing import Any, Dict, List, Optional, Text
from urllib.parse import urlsplit

import yaml
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

import settings
from actions.replies import ReplyAction, served_articles
from actions.scope import ALL_QUESTIONS

CONTACTS_FILE = settings.ROOT / "data" / "support" / "contacts.yml"


@lru_cache(maxsize=4)
def configured_contacts(region: Text) -> Dict[Text, List[Dict[Text, Text]]]:
    contacts = yaml.safe_load(CONTACTS_FILE.read_text(encoding="utf-8")) or {}
    return contacts.get(region) or {}


def website(article_url: Text) -> Text:
    parts = urlsplit(article_url)
    return f"{parts.scheme}://{parts.netloc}"


def contact_messages(region: Optional[Text] = None) -> List[Dict[Text, Any]]:
    """One message per publisher whose answers are served: its confirmed contacts, else its website."""
    region = region or settings.get("MBC_HELP_LINES")
    messages, seen = [], set()
    for _, publisher, article_url in served_articles():
        if publisher in seen:
            continue
        seen.add(publisher)
        entries = configured_contacts(region).get(publisher) or []
        if entries:
            lines = [f"{e['label']}: {e.get('text') or e.get('url')}" for e in entries]
            buttons = [{"title": e["label"], "type": "web_url", "url": e["url"], "payload": e["url"]}
                       for e in entries if e.get("url")]
            messages.append({"text": f"You can reach {publisher}:\n" + "\n".join(lines), "buttons": buttons})
        else:
            site = website(article_url)
            messages.append({"text": f"You can reach {publisher} through its website: {site}",
                             "buttons": [{"title": f"Visit {publisher}", "type": "web_url", "url": site,
                                          "payload": site}]})
    return messages


def send(dispatcher: CollectingDispatcher, messages: List[Dict[Text, Any]]) -> None:
    for message in messages:
        dispatcher.utter_message(text=message["text"], buttons=message.get("buttons") or [])


class ActionAcknowledgeFeelings(ReplyAction):
    def name(self) -> Text:
        return "action_acknowledge_feelings"

    def reply(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]):
        dispatcher.utter_message(response="utter_acknowledge_feelings")
        send(dispatcher, contact_messages())
        dispatcher.utter_message(response="utter_when_ready", buttons=[ALL_QUESTIONS])
        return [SlotSet("outcome", "feelings")]


class ActionOfferPerson(ReplyAction):
    def name(self) -> Text:
        return "action_offer_person"

    def reply(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]):
        dispatcher.utter_message(response="utter_not_a_person")
        send(dispatcher, contact_messages())
        dispatcher.utter_message(response="utter_care_team_too")
        return [SlotSet("outcome", "asked_for_person")]
