"""Telegram, through Rasa's connector, with Telegram's secret-token header checked.

Register the webhook with a secret token (see docs/channels.md); Telegram then sends it in
X-Telegram-Bot-Api-Secret-Token and any request without it is refused with 403. Messages go out as
plain text (no parse mode, so nothing is read as markup); links are URL buttons and choices are
inline buttons, or a numbered list when a payload is too long for Telegram's 64-byte callback data.
"""
import hmac
import logging
from typing import Any, Dict, List, Optional, Text

from aiogram.bot.api import TelegramAPIServer
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from rasa.core.channels.telegram import TelegramInput, TelegramOutput
from sanic import response

import settings
from channels.render import link_of, split_buttons, text_only
from channels.webhooks import is_webhook_post

logger = logging.getLogger(__name__)
CALLBACK_DATA_LIMIT = 64


class PlainTelegramOutput(TelegramOutput):
    def __init__(self, access_token: Optional[Text], api_url: Optional[Text] = None) -> None:
        server = TelegramAPIServer.from_base(api_url) if api_url else None
        super(TelegramOutput, self).__init__(access_token, **({"server": server} if server else {}))

    async def send_text_with_buttons(self, recipient_id: Text, text: Text, buttons: List[Dict[Text, Any]],
                                     **kwargs: Any) -> None:
        links, choices = split_buttons(buttons)
        if any(len(str(b.get("payload", "")).encode()) > CALLBACK_DATA_LIMIT for b in choices):
            await self.send_message(recipient_id, text_only(text, buttons))
            return
        keyboard = InlineKeyboardMarkup(row_width=1)
        for b in links:
            keyboard.add(InlineKeyboardButton(b["title"], url=link_of(b)))
        for b in choices:
            keyboard.add(InlineKeyboardButton(b["title"], callback_data=b["payload"]))
        await self.send_message(recipient_id, text, reply_markup=keyboard)


class SecureTelegramInput(TelegramInput):
    @classmethod
    def name(cls) -> Text:
        return "telegram"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]):
        credentials = credentials or {}
        channel = cls(credentials.get("access_token"), credentials.get("verify"), credentials.get("webhook_url"))
        channel.secret_token = credentials.get("secret_token") or ""
        channel.api_url = settings.get("MBC_TELEGRAM_API_URL")
        return channel

    def blueprint(self, on_new_message):
        blueprint = super().blueprint(on_new_message)

        @blueprint.middleware("request")
        async def check_secret(request):
            if not is_webhook_post(request, self.name()):
                return None
            sent = request.headers.get("X-Telegram-Bot-Api-Secret-Token", "")
            if not self.secret_token or not hmac.compare_digest(sent, self.secret_token):
                logger.warning("telegram: refused a request without the webhook's secret token")
                return response.text("forbidden", status=403)
            try:
                body = request.json
            except Exception:
                body = None
            if not isinstance(body, dict) or "update_id" not in body:
                return response.text("not a Telegram update", status=400)
            return None

        return blueprint

    def get_output_channel(self) -> TelegramOutput:
        # No set_webhook at start (Rasa's default): the webhook is registered once, with its secret token.
        return PlainTelegramOutput(self.access_token, self.api_url)
