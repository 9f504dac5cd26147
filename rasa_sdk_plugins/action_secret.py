"""The action server answers only the Rasa servers. With MBC_ACTION_SECRET set (`make run`, the tests
and the scale-out mode make a new one at every start, see scripts/action_secret.py) every request
except GET /health must carry `Authorization: Bearer <secret>`. Without it (a plain `rasa run
actions` from the project root) only direct calls from this machine are answered: a loopback peer
with no proxy's forwarding headers, so neither another host nor anything relayed by a local proxy
gets through. Anything else gets 401."""
import hmac
import ipaddress
import logging

import pluggy
from sanic import response

import settings

logger = logging.getLogger(__name__)
hookimpl = pluggy.HookimplMarker("rasa_sdk")
FORWARDING_HEADERS = ("forwarded", "x-forwarded-for", "x-real-ip")


def is_direct_local_call(request) -> bool:
    try:
        loopback = ipaddress.ip_address(request.conn_info.client_ip if request.conn_info else "").is_loopback
    except ValueError:
        return False
    return loopback and not any(header in request.headers for header in FORWARDING_HEADERS)


@hookimpl
def attach_sanic_app_extensions(app) -> None:
    secret = settings.get("MBC_ACTION_SECRET") or ""
    expected = f"Bearer {secret}".encode()
    if not secret:
        logger.warning("MBC_ACTION_SECRET is not set: the action server answers only direct calls from this "
                       "machine (make run sets a secret)")

    @app.middleware("request")
    async def only_rasa(request):
        if request.method == "GET" and request.path == "/health":
            return None
        if secret and hmac.compare_digest(request.headers.get("Authorization", "").encode(), expected):
            return None
        if not secret and is_direct_local_call(request):
            return None
        logger.warning("action server: refused a %s %s without the Rasa servers' secret", request.method, request.path)
        return response.json({"error": "unauthorized"}, status=401)
