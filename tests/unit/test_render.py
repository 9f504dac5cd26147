"""How one reply reads on a channel without buttons."""
from channels.render import REPLY_WITH_NUMBER, text_only

LINK = "https://example.org/article#:~:text=a,b"


def test_link_button_becomes_a_bare_url_once():
    assert text_only(f"Read the full article: {LINK}", [{"title": "Read the full article", "type": "web_url",
                                                          "url": LINK, "payload": LINK}]) == f"Read the full article: {LINK}"
    assert text_only("See the article", [{"title": "Read it", "payload": LINK}]) == f"See the article\nRead it: {LINK}"


def test_choices_become_a_numbered_list():
    rendered = text_only("Did you mean one of these?", [{"title": "What is NED?", "payload": "/a"},
                                                         {"title": "None of these", "payload": "/b"}])
    assert rendered == f"Did you mean one of these?\n1. What is NED?\n2. None of these\n{REPLY_WITH_NUMBER}"
