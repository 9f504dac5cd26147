"""Slack, through Rasa's connector, with Slack's request signature checked first.

Every request must carry X-Slack-Signature over its timestamp and body, made with the app's signing
secret (checked with slack_sdk's SignatureVerifier, which also refuses timestamps older than five
minutes); an identical request seen again in that window is refused as a replay (remembered in Redis
when MBC_REDIS_URL is set, so across every Rasa server: channels/replay.py). Refusals are 401,
malformed bodies 400. Replies use Slack's link syntax and buttons (URL buttons for the article).
"""
import logging
from typing import Any, Dict, List, Optional, Text

from rasa.core.channels.slack import SlackBot, SlackInput
from sanic import response
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient

import settings
from channels.render import link_of, slack_mrkdwn, split_buttons, text_only
from channels.replay import ReplayGuard
from channels.webhooks import is_webhook_post

logger = logging.getLogger(__name__)
SLACK_BUTTON_LIMIT = 5
REPLAY_WINDOW_S = 5 * 60


class RenderedSlackBot(SlackBot):
    def __init__(self, token, slack_channel=None, thread_id=None, proxy=None, api_url: Optional[Text] = None):
        super().__init__(token, slack_channel, thread_id, proxy)
        if api_url:  # a stand-in for Slack's Web API in tests
            self.client = AsyncWebClient(token, proxy=proxy, base_url=api_url)

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        await self._post_message(channel=self.slack_channel or recipient_id, as_user=True,
                                 text=slack_mrkdwn(text), type="mrkdwn")

    async def send_text_with_buttons(self, recipient_id: Text, text: Text, buttons: List[Dict[Text, Any]],
                                     **kwargs: Any) -> None:
        if len(buttons) > SLACK_BUTTON_LIMIT:
            return await self.send_text_message(recipient_id, text_only(text, buttons))
        links, choices = split_buttons(buttons)
        elements = [{"type": "button", "text": {"type": "plain_text", "text": b["title"]}, "url": link_of(b)}
                    for b in links]
        elements += [{"type": "button", "text": {"type": "plain_text", "text": b["title"]}, "value": b["payload"]}
                     for b in choices]
        blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": slack_mrkdwn(text)}},
                  {"type": "actions", "elements": elements}]
        await self._post_message(channel=self.slack_channel or recipient_id, as_user=True,
                                 text=slack_mrkdwn(text), blocks=blocks)


class SignedSlackInput(SlackInput):
    @classmethod
    def name(cls) -> Text:
        return "slack"

    def blueprint(self, on_new_message):
        blueprint = super().blueprint(on_new_message)
        verifier = SignatureVerifier(self.slack_signing_secret)
        replays = ReplayGuard(self.name(), REPLAY_WINDOW_S)

        @blueprint.middleware("request")
        async def check_signature(request):
            if not is_webhook_post(request, self.name()):
                return None
            headers = {k.lower(): v for k, v in request.headers.items()}
            if not self.slack_signing_secret or not verifier.is_valid_request(request.body, headers):
                logger.warning("slack: refused a request without a valid, recent X-Slack-Signature")
                return response.text("invalid signature", status=401)
            if not await replays.first_time(headers.get("x-slack-signature", "")):
                logger.warning("slack: refused a replayed request")
                return response.text("replayed request", status=401)
            kind = request.headers.get("content-type", "")
            if "json" in kind:
                try:
                    body = request.json
                except Exception:
                    body = None
                if not isinstance(body, dict):
                    return response.text("malformed body", status=400)
            elif not (request.form or {}).get("payload"):
                return response.text("malformed body", status=400)
            return None

        return blueprint

    def get_output_channel(self, channel: Optional[Text] = None, thread_id: Optional[Text] = None):
        return RenderedSlackBot(self.slack_token, channel or self.slack_channel, thread_id, self.proxy,
                                settings.get("MBC_SLACK_API_URL"))
