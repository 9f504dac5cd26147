"""Links to the quoted passage in the full article, as a URL text fragment (#:~:text=start,end).

Browsers that support text fragments scroll to the passage and highlight it; others open the
article at the top, so the link is never worse than the plain URL.
"""
import re
from urllib.parse import quote

from content.article import BULLET

EDGE_WORDS = 4


def _words(text: str):
    return re.sub(rf"[{BULLET}\n]", " ", text).split()


def _fragment_part(words) -> str:
    # Percent-encode everything that is not unreserved, including the fragment syntax ",", "-", "&".
    return quote(" ".join(words), safe="")


def passage_link(article_url: str, passage: str) -> str:
    words = _words(passage)
    base = article_url.split("#", 1)[0]
    if not words:
        return base
    if len(words) <= 2 * EDGE_WORDS:
        return f"{base}#:~:text={_fragment_part(words)}"
    return (f"{base}#:~:text={_fragment_part(words[:EDGE_WORDS])},"
            f"{_fragment_part(words[-EDGE_WORDS:])}")
