"""Rasa's socket.io channel for the website widget, with two fixes.

1. Origins: Rasa creates its socket.io server with origin checks switched off. Here only the origins in
   MBC_WEB_ORIGINS (space-separated; default the local widget page) may connect; never "*" by default.
2. Session persistence: Rasa 3.6.21 calls `sio.enter_room(...)` without awaiting it, which python-socketio
   5.10+ made a coroutine, so the browser never joins its session's room and never gets replies. The
   `session_request` handler is replaced by one that awaits it and accepts only well-formed session ids.
3. Rate limit: a session or address writing too fast (channels/ratelimit.py) gets a kind "please wait"
   reply instead of an answer.
"""
import logging
import re
import uuid
from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.socketio import SocketIOInput
from sanic import Blueprint

import settings
from channels.ratelimit import SLOW_DOWN, limiter

logger = logging.getLogger(__name__)
SESSION_ID = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


def allowed_origins() -> list:
    return settings.get_list("MBC_WEB_ORIGINS")


class WebSocketIOInput(SocketIOInput):
    @classmethod
    def name(cls) -> Text:
        return "socketio"  # the widget talks to /socket.io as with Rasa's own channel

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        blueprint = super().blueprint(on_new_message)
        sio = self.sio
        sio.eio.cors_allowed_origins = allowed_origins()

        async def session_request(sid: Text, data: Optional[Dict]) -> None:
            requested = (data or {}).get("session_id") if isinstance(data, dict) else None
            session_id = requested if isinstance(requested, str) and SESSION_ID.match(requested) else uuid.uuid4().hex
            if self.session_persistence:
                await sio.enter_room(sid, session_id)
            await sio.emit("session_confirm", session_id, room=sid)

        sio.on("session_request", namespace=self.namespace)(session_request)

        handle_message = sio.handlers[self.namespace or "/"][self.user_message_evt]

        async def user_uttered(sid: Text, data: Any) -> None:
            request = (sio.get_environ(sid, self.namespace) or {}).get("sanic.request")
            sender = (data.get("session_id") if isinstance(data, dict) else None) or sid
            rate = limiter()
            address = rate.address(request.ip if request else None,
                                   request.headers.get("X-Real-IP") if request else None)
            if await rate.too_fast(str(sender), address):
                await sio.emit(self.bot_message_evt, {"text": SLOW_DOWN}, room=sid)
                return
            await handle_message(sid, data)

        sio.on(self.user_message_evt, namespace=self.namespace)(user_uttered)
        return blueprint
