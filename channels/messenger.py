"""Facebook Messenger, through Rasa's Messenger handler, with Meta's request signature checked.

Meta signs each webhook body with the app secret (X-Hub-Signature-256: sha256=HMAC). Requests without
a valid signature are refused with 403 and logged before anything is handled; bodies that are not a
page event are refused with 400. Replies: at most three buttons, titles of at most 20 characters
(Messenger's limits), the article link as a URL button; otherwise the numbered text list.
"""
import hashlib
import hmac
import json
import logging
from typing import Any, Dict, List, Optional, Text

from rasa.core.channels.facebook import FacebookInput, Messenger, MessengerBot
from sanic import Blueprint, response

import settings
from channels.render import link_of, split_buttons, text_only

logger = logging.getLogger(__name__)
BUTTON_LIMIT, TITLE_LIMIT = 3, 20
LINK_TITLE = "Full article"


class RenderedMessengerBot(MessengerBot):
    async def send_text_with_buttons(self, recipient_id: Text, text: Text, buttons: List[Dict[Text, Any]],
                                     **kwargs: Any) -> None:
        links, choices = split_buttons(buttons)
        if len(buttons) > BUTTON_LIMIT or any(len(b["title"]) > TITLE_LIMIT for b in choices):
            return await self.send_text_message(recipient_id, text_only(text, buttons))
        template = [{"type": "web_url", "title": LINK_TITLE, "url": link_of(b)} for b in links]
        template += [{"type": "postback", "title": b["title"], "payload": b["payload"]} for b in choices]
        self.messenger_client.send({"attachment": {"type": "template", "payload": {
            "template_type": "button", "text": text, "buttons": template}}}, recipient_id, "RESPONSE")


class RenderedMessenger(Messenger):
    def __init__(self, page_access_token: Text, on_new_message) -> None:
        super().__init__(page_access_token, on_new_message)
        api_url = settings.get("MBC_MESSENGER_API_URL")
        if api_url:  # a stand-in for the Graph API in tests
            self.client.graph_url = api_url.rstrip("/")

    async def _handle_user_message(self, text: Text, sender_id: Text, metadata: Optional[Dict[Text, Any]]) -> None:
        from rasa.core.channels.channel import UserMessage
        out_channel = RenderedMessengerBot(self.client)
        await self.on_new_message(UserMessage(text, out_channel, sender_id, input_channel=self.name(),
                                              metadata=metadata))


def valid_signature(app_secret: Text, body: bytes, header: Text) -> bool:
    expected = "sha256=" + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()
    return bool(app_secret) and hmac.compare_digest(expected, header or "")


class SignedMessengerInput(FacebookInput):
    @classmethod
    def name(cls) -> Text:
        return "facebook"

    def blueprint(self, on_new_message) -> Blueprint:
        webhook = Blueprint("messenger_webhook", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(_):
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["GET"])
        async def verify(request):
            token = request.args.get("hub.verify_token") or ""
            if self.fb_verify and hmac.compare_digest(token, self.fb_verify):
                return response.text(request.args.get("hub.challenge") or "")
            return response.text("invalid verify token", status=403)

        @webhook.route("/webhook", methods=["POST"])
        async def message(request):
            if not valid_signature(self.fb_secret, request.body, request.headers.get("X-Hub-Signature-256")):
                logger.warning("facebook: refused a request without a valid X-Hub-Signature-256")
                return response.text("invalid signature", status=403)
            try:
                body = json.loads(request.body or b"")
            except ValueError:
                body = None
            if not (isinstance(body, dict) and body.get("object") == "page" and isinstance(body.get("entry"), list)):
                return response.text("not a page event", status=400)
            await RenderedMessenger(self.fb_access_token, on_new_message).handle(body, self.get_metadata(request))
            return response.text("success")

        return webhook

    def get_output_channel(self):
        return RenderedMessengerBot(RenderedMessenger(self.fb_access_token, None).client)
