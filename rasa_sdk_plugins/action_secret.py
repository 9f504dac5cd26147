"""The action server answers only the Rasa servers: every request except GET /health must carry
`Authorization: Bearer $MBC_ACTION_SECRET` (the secret the start scripts make, see
scripts/action_secret.py); anything else gets 401. Without the variable the server does not start,
so it can never run open by mistake."""
import hmac
import logging
import os

import pluggy
from sanic import response

logger = logging.getLogger(__name__)
hookimpl = pluggy.HookimplMarker("rasa_sdk")


@hookimpl
def attach_sanic_app_extensions(app) -> None:
    secret = os.environ.get("MBC_ACTION_SECRET", "")
    if not secret:
        raise SystemExit("MBC_ACTION_SECRET is not set: the action server would accept calls from anyone. "
                         "Start it with scripts/run.sh (or make run), which sets it.")
    expected = f"Bearer {secret}".encode()

    @app.middleware("request")
    async def only_rasa(request):
        if request.method == "GET" and request.path == "/health":
            return None
        if hmac.compare_digest(request.headers.get("Authorization", "").encode(), expected):
            return None
        logger.warning("action server: refused a %s %s without the Rasa servers' secret", request.method, request.path)
        return response.json({"error": "unauthorized"}, status=401)
