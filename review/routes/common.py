"""What the route modules share: the app's engines and templates, rendering, cookies, the Origin check."""
from dataclasses import dataclass
from functools import wraps
from typing import Optional
from urllib.parse import urlencode

from jinja2 import Environment
from sanic import response

from content.store import approved_titles, get_engine
from review.settings import Settings

SESSION_COOKIE = "mbc_review_session"
LOGIN_CSRF_COOKIE = "mbc_review_login"


@dataclass(frozen=True)
class Deps:
    settings: Settings
    tracker: object   # SQLAlchemy engine of Rasa's tracker store
    review: object    # SQLAlchemy engine of the review tables
    templates: Environment

    def render(self, request, template: str, status: int = 200, **context):
        context.update(staff=request.ctx.staff, request_path=request.path)
        return response.html(self.templates.get_template(template).render(**context), status=status)

    def set_cookie(self, resp, name: str, value: str, max_age: Optional[int] = None):
        resp.cookies[name] = value
        cookie = resp.cookies[name]
        cookie["httponly"] = True
        cookie["samesite"] = "Strict"
        cookie["path"] = "/"
        if self.settings.secure_cookies:
            cookie["secure"] = True
        if max_age is not None:
            cookie["max-age"] = max_age


def titles() -> dict:
    """{answer id: title} of the approved answers (a database read: call it off the loop)."""
    return approved_titles(get_engine())


def admin_only(handler):
    @wraps(handler)
    async def wrapped(request, *args, **kwargs):
        if not request.ctx.staff.is_admin:
            return response.text("Only admins can open this page.", status=403)
        return await handler(request, *args, **kwargs)
    return wrapped


def same_origin(request) -> bool:
    # Browsers send Origin on POST: a form posted from another site is refused even with a stolen token.
    origin = request.headers.get("origin")
    return origin is None or origin == f"{request.scheme}://{request.host}"


def back_to(sender_id: str, anchor: str = ""):
    return response.redirect("/conversation?" + urlencode({"id": sender_id}) + anchor, status=303)


def int_arg(value, default: int, low: int, high: int) -> int:
    try:
        return max(low, min(int(value), high))
    except (TypeError, ValueError):
        return default
