"""Signing in and out: the login form with its own CSRF cookie, password checks with a lockout after
repeated failures, and the session cookie. (Loading the session of each request is app.py's middleware.)"""
import secrets

from sanic import Blueprint, response

from review import audit, auth
from review.blocking import off_loop
from review.routes.common import LOGIN_CSRF_COOKIE, SESSION_COOKIE, Deps, same_origin

# Password guessing: after this many failed sign-ins for one username, it waits this long.
LOCKOUT_FAILURES, LOCKOUT_MINUTES = 5, 15
LOCKED = object()  # what sign_in returns for a locked account


def blueprint(deps: Deps) -> Blueprint:
    bp = Blueprint("accounts")

    @bp.get("/login")
    async def login_page(request):
        if request.ctx.staff:
            return response.redirect("/conversations", status=303)
        # Reuse the token this browser already holds: a second load (another tab, the favicon's
        # redirect) must not invalidate the form already on screen.
        token = request.cookies.get(LOGIN_CSRF_COOKIE, "")
        if len(token) < 40:
            token = secrets.token_urlsafe(32)
        resp = deps.render(request, "login.html", csrf=token, error=None)
        deps.set_cookie(resp, LOGIN_CSRF_COOKIE, token, max_age=3600)
        return resp

    @bp.post("/login")
    async def login(request):
        form_token = request.form.get("csrf")
        if not same_origin(request) or not auth.same_token(request.cookies.get(LOGIN_CSRF_COOKIE, ""), form_token):
            return response.text("The sign-in form expired. Reload the page and try again.", status=403)
        username = (request.form.get("username") or "").strip()[:80]
        # Exclusive: each sign-in counts every earlier failure, however many guesses arrive at once.
        token = await off_loop(sign_in, deps.review, username, request.form.get("password") or "", exclusive=True)
        if token is LOCKED:
            return deps.render(request, "login.html", status=429, csrf=form_token,
                               error=f"Too many failed sign-ins for this account. Wait {LOCKOUT_MINUTES} minutes, "
                                     "or ask an admin to reset the password.")
        if token is None:
            return deps.render(request, "login.html", status=401, csrf=form_token,
                               error="That username and password do not match an active account.")
        resp = response.redirect("/conversations", status=303)
        deps.set_cookie(resp, SESSION_COOKIE, token)
        del resp.cookies[LOGIN_CSRF_COOKIE]
        return resp

    @bp.post("/logout")
    async def logout(request):
        await off_loop(sign_out, deps.review, request.cookies.get(SESSION_COOKIE), request.ctx.staff.username)
        resp = response.redirect("/login", status=303)
        del resp.cookies[SESSION_COOKIE]
        return resp

    return bp


def sign_in(review, username: str, password: str):
    """A new session's token, None for a wrong password, or LOCKED (Argon2 and the database: blocking)."""
    with review.begin() as conn:
        if audit.recent_failures(conn, username, LOCKOUT_MINUTES) >= LOCKOUT_FAILURES:
            audit.record(conn, username or "?", "login_refused")
            return LOCKED
        user_id = auth.check_password(conn, username, password)
        audit.record(conn, username or "?", "login" if user_id else "login_failed")
        return auth.start_session(conn, user_id) if user_id else None


def sign_out(review, token, username: str) -> None:
    with review.begin() as conn:
        auth.end_session(conn, token)
        audit.record(conn, username, "logout")
