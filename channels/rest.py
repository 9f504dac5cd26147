"""Rasa's REST channel with its input checked first.

Rasa answers a body that is not a JSON object with a 500, replies with nothing to a message that is not
text, and files every request without a sender under one shared conversation ("default"), so strangers
would continue each other's conversations. Here such requests get a 400 with a clear error, and
messages longer than MAX_MESSAGE_CHARS a 413, before they reach the assistant. A sender or address
writing faster than the rate limit (channels/ratelimit.py) gets a 429 with a kind message.
"""
import json
import logging
from typing import Text

from rasa.core.channels.rest import RestInput
from sanic import response

from channels.ratelimit import SLOW_DOWN, limiter
from channels.webhooks import is_webhook_post

logger = logging.getLogger(__name__)
MAX_MESSAGE_CHARS = 5000
MAX_SENDER_CHARS = 128


def problem(request) -> tuple:
    """(status, error) for a request the assistant should not see, or (None, None)."""
    try:
        body = json.loads(request.body or b"")
    except ValueError:
        return 400, "the body must be JSON"
    if not isinstance(body, dict):
        return 400, "the body must be a JSON object with 'sender' and 'message'"
    sender, message = body.get("sender"), body.get("message")
    if not isinstance(sender, str) or not sender.strip() or len(sender) > MAX_SENDER_CHARS:
        return 400, f"'sender' must be a non-empty string of at most {MAX_SENDER_CHARS} characters"
    if not isinstance(message, str):
        return 400, "'message' must be a string"
    if len(message) > MAX_MESSAGE_CHARS:
        return 413, f"'message' is longer than {MAX_MESSAGE_CHARS} characters: please send a shorter one"
    if "metadata" in body and not isinstance(body["metadata"], dict):
        return 400, "'metadata' must be a JSON object"
    return None, None


class ValidatedRestInput(RestInput):
    @classmethod
    def name(cls) -> Text:
        return "rest"

    def blueprint(self, on_new_message):
        blueprint = super().blueprint(on_new_message)

        @blueprint.middleware("request")
        async def check_body(request):
            if not is_webhook_post(request, self.name()):
                return None
            status, error = problem(request)
            if status:
                logger.info("rest: refused a request (%s)", status)
                return response.json({"error": error}, status=status)
            rate = limiter()
            address = rate.address(request.ip, request.headers.get("X-Real-IP"))
            if await rate.too_fast(json.loads(request.body)["sender"], address):
                return response.json({"error": SLOW_DOWN}, status=429,
                                     headers={"Retry-After": str(rate.retry_after())})
            return None

        return blueprint
