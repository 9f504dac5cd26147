"""How a reply (text plus buttons, as the actions send it) reads on channels with fewer features.

One layer for every channel: the actions write each answer once; channels without buttons get the
link as a bare URL and the choices as a numbered list ("Reply with a number"), which
action_choose_number understands; channels with few buttons get the first ones as buttons.
"""
import re
from typing import Any, Dict, List, Text, Tuple

URL = re.compile(r"https?://\S+")

REPLY_WITH_NUMBER = "Reply with a number."


def is_link(button: Dict[Text, Any]) -> bool:
    return button.get("type") == "web_url" or str(button.get("payload", "")).startswith(("http://", "https://"))


def link_of(button: Dict[Text, Any]) -> Text:
    return button.get("url") or button.get("payload") or ""


def split_buttons(buttons: List[Dict[Text, Any]]) -> Tuple[List[Dict], List[Dict]]:
    links = [b for b in buttons or [] if is_link(b)]
    return links, [b for b in buttons or [] if not is_link(b)]


def text_only(text: Text, buttons: List[Dict[Text, Any]]) -> Text:
    """Plain text: links as bare URLs (once), choices numbered in the order of `choices`."""
    links, choices = split_buttons(buttons)
    lines = [text.strip()] if text else []
    lines += [f"{b['title']}: {link_of(b)}" for b in links if link_of(b) not in (text or "")]
    if choices:
        lines += [f"{i}. {b['title']}" for i, b in enumerate(choices, 1)] + [REPLY_WITH_NUMBER]
    return "\n".join(lines)


def slack_mrkdwn(text: Text, link_title: Text = "Read the full article") -> Text:
    """Slack's own syntax: links as <url|title>; &, < and > escaped as Slack requires."""
    escaped = (text or "").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return URL.sub(lambda m: f"<{m.group(0).replace('&amp;', '&')}|{link_title}>", escaped)
