"""What every channel's request check needs to know about the request in hand."""
from typing import Text


def is_webhook_post(request, channel: Text) -> bool:
    """Sanic runs a blueprint's request middleware for every request of the app, not only the
    blueprint's own: each channel's check must act only on a POST to its own webhook."""
    return request.method == "POST" and request.path == f"/webhooks/{channel}/webhook"
