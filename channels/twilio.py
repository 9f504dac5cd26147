"""Twilio SMS and WhatsApp, through Rasa's Twilio connector, with Twilio's request signature checked.

Twilio signs each webhook with the account's auth token over the public URL it called and the form
fields (X-Twilio-Signature); requests without a valid signature are refused with 403 before Rasa sees
them. Replies are plain text (render.text_only): SMS and WhatsApp here have no buttons.
"""
import logging
from typing import Any, Dict, List, Optional, Text

from rasa.core.channels.twilio import TwilioInput, TwilioOutput
from sanic import response
from twilio.request_validator import RequestValidator

import settings
from channels.render import text_only
from channels.webhooks import is_webhook_post

logger = logging.getLogger(__name__)


class PlainTextTwilioOutput(TwilioOutput):
    def __init__(self, account_sid, auth_token, twilio_number, api_url: Optional[Text] = None) -> None:
        super().__init__(account_sid, auth_token, twilio_number)
        if api_url:  # a stand-in for Twilio's API in tests
            self.api.base_url = api_url

    async def send_text_with_buttons(self, recipient_id: Text, text: Text, buttons: List[Dict[Text, Any]],
                                     **kwargs: Any) -> None:
        await self._send_message({"to": recipient_id, "from_": self.twilio_number, "body": text_only(text, buttons)})

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        await self._send_message({"to": recipient_id, "from_": self.twilio_number, "body": text.strip()})


class SignedTwilioInput(TwilioInput):
    ENV = "MBC_TWILIO"

    @classmethod
    def name(cls) -> Text:
        return "twilio"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]):
        credentials = credentials or {}
        channel = cls(credentials.get("account_sid"), credentials.get("auth_token"), credentials.get("twilio_number"))
        channel.webhook_url = credentials.get("webhook_url")
        channel.api_url = settings.get("MBC_TWILIO_API_URL")
        return channel

    def blueprint(self, on_new_message):
        blueprint = super().blueprint(on_new_message)
        blueprint.name = f"{self.name()}_webhook"  # Rasa names it "twilio_webhook"; SMS and WhatsApp both run
        validator = RequestValidator(self.auth_token)

        @blueprint.middleware("request")
        async def check_signature(request):
            if not is_webhook_post(request, self.name()):
                return None
            params = {k: v[0] for k, v in (request.form or {}).items()}
            signature = request.headers.get("X-Twilio-Signature", "")
            if not (self.webhook_url and validator.validate(self.webhook_url, params, signature)):
                logger.warning("%s: refused a request without a valid X-Twilio-Signature", self.name())
                return response.text("invalid signature", status=403)
            if not params.get("From") or params.get("Body") is None:
                return response.text("missing From or Body", status=400)
            return None

        return blueprint

    def get_output_channel(self):
        return PlainTextTwilioOutput(self.account_sid, self.auth_token, self.twilio_number, self.api_url)


class SignedTwilioWhatsAppInput(SignedTwilioInput):
    """The WhatsApp sender of the same Twilio account: its own number ("whatsapp:+1...") and webhook."""

    @classmethod
    def name(cls) -> Text:
        return "twilio_whatsapp"
