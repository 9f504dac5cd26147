"""A minimal HTTP client of the staff review app, for tests and `make bench-review`: keeps the session
cookie (also a Secure one over http://127.0.0.1), reads the CSRF token from pages, never follows redirects."""
import re
import urllib.error
import urllib.parse
import urllib.request
from http.cookies import SimpleCookie
from typing import Dict, Optional, Tuple

CSRF = re.compile(r'name="csrf" value="([^"]+)"')


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Response:
    def __init__(self, status: int, headers, body: bytes):
        self.status, self.headers, self.body = status, headers, body

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def set_cookies(self) -> SimpleCookie:
        cookie = SimpleCookie()
        for header in self.headers.get_all("Set-Cookie") or []:
            cookie.load(header)
        return cookie


class StaffClient:
    def __init__(self, base_url: str):
        self.base_url = base_url.rstrip("/")
        self.cookies: Dict[str, str] = {}
        self.opener = urllib.request.build_opener(_NoRedirect)
        self.csrf: Optional[str] = None

    def request(self, method: str, path: str, form: Optional[dict] = None, headers: Optional[dict] = None,
                timeout: float = 60) -> Response:
        data = urllib.parse.urlencode(form).encode() if form is not None else None
        req = urllib.request.Request(self.base_url + path, data=data, method=method)
        if data is not None:
            req.add_header("Content-Type", "application/x-www-form-urlencoded")
        if self.cookies:
            req.add_header("Cookie", "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        for key, value in (headers or {}).items():
            req.add_header(key, value)
        try:
            with self.opener.open(req, timeout=timeout) as resp:
                result = Response(resp.status, resp.headers, resp.read())
        except urllib.error.HTTPError as error:
            result = Response(error.code, error.headers, error.read())
        for name, morsel in result.set_cookies().items():
            if morsel["max-age"] == "0" or morsel.value == "":
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = morsel.value
        found = CSRF.search(result.text) if result.headers.get_content_type() == "text/html" else None
        if found:
            self.csrf = found.group(1)
        return result

    def get(self, path: str, **kwargs) -> Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, form: dict, with_csrf: bool = True, **kwargs) -> Response:
        form = dict(form)
        if with_csrf and "csrf" not in form:
            form["csrf"] = self.csrf or ""
        return self.request("POST", path, form=form, **kwargs)

    def login(self, username: str, password: str) -> Response:
        self.get("/login")
        response = self.post("/login", {"username": username, "password": password})
        if response.status == 303:
            self.get("/conversations")  # picks up the session's CSRF token
        return response


def login_cookie(response: Response) -> Tuple[str, Dict[str, str]]:
    """(value, attributes) of the session cookie a sign-in set."""
    morsel = response.set_cookies()["mbc_review_session"]
    return morsel.value, {k: morsel[k] for k in ("httponly", "secure", "samesite", "path")}
