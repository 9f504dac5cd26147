"""The staff review web app (Sanic, server-rendered Jinja2 pages with autoescaping; no external assets):
app creation, the middleware every request passes (session, CSRF and Origin checks, security headers),
templates, and the wiring of the route modules (review/routes/). Every route but the login page and the
stylesheet needs a signed-in staff member; every POST carries the session's CSRF token.
"""
from jinja2 import Environment, FileSystemLoader, select_autoescape
from sanic import Sanic, response
from sanic.exceptions import NotFound

from content.store import get_engine
from review import auth
from review.blocking import off_loop
from review.routes import accounts, actions, editor, exports, pages
from review.routes.common import SESSION_COOKIE, Deps, same_origin
from review.schema import create_review_schema
from review.settings import STATIC_DIR, TEMPLATES_DIR, Settings

ASSETS = {"/static/review.css", "/favicon.ico"}  # public, and need no session lookup
PUBLIC = {"/login"} | ASSETS
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
                               "frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",  # no-referrer would make browsers send "Origin: null" on our own forms
    "Cache-Control": "no-store",
}


def create_app(settings: Settings, name: str = "mbc_review") -> Sanic:
    app = Sanic(name)
    app.config.REQUEST_MAX_SIZE = 1_000_000
    review = get_engine(settings.review_db_url)
    create_review_schema(review)
    templates = Environment(loader=FileSystemLoader(TEMPLATES_DIR), autoescape=select_autoescape(default=True))
    templates.filters["pct"] = lambda v: "" if v is None else f"{v * 100:.0f}%"
    templates.filters["when"] = lambda v: v.strftime("%Y-%m-%d %H:%M") if v else ""
    deps = Deps(settings, get_engine(settings.tracker_db_url), review, templates)

    @app.middleware("request")
    async def who_is_asking(request):
        request.ctx.staff = None
        if request.path in ASSETS:
            return None
        request.ctx.staff = await off_loop(current_staff, deps, request.cookies.get(SESSION_COOKIE))
        if request.path in PUBLIC:
            return None
        if request.ctx.staff is None:
            if request.method == "GET" and not request.path.endswith((".csv", ".json", ".yml")):
                return response.redirect("/login", status=303)
            return response.text("Sign in first.", status=401)
        if request.method == "POST":
            if not same_origin(request) or not auth.same_token(request.ctx.staff.csrf_token,
                                                               request.form.get("csrf")):
                return response.text("This form has expired or did not come from this site. "
                                     "Go back, reload the page and try again.", status=403)
        return None

    @app.middleware("response")
    async def security_headers(request, resp):
        for key, value in SECURITY_HEADERS.items():
            resp.headers.setdefault(key, value)

    @app.exception(NotFound)
    async def not_found(request, exc):
        return response.text("Not found.", status=404)

    @app.get("/favicon.ico")
    async def favicon(request):
        return response.empty(status=204)

    app.static("/static/review.css", str(STATIC_DIR / "review.css"), name="review_css")
    for routes in (accounts, pages, actions, exports, editor):
        app.blueprint(routes.blueprint(deps))
    return app


def current_staff(deps: Deps, token):
    """The signed-in staff member of a session cookie, or None (the session is touched or ended)."""
    with deps.review.begin() as conn:
        return auth.current_staff(conn, token, deps.settings.idle_minutes, deps.settings.max_session_hours)
