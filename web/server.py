"""Serve the chat widget and a demo page that embeds it: `python -m web.server` (started by `make run`).

Static files only, from web/public and socket.io-client's browser build in web/node_modules (installed
from the npm registry with a lock file; nothing is loaded from a CDN). Every response carries a strict
Content-Security-Policy: scripts and styles only from this server, connections only to the assistant.
"""
import json
import mimetypes
import sys
from functools import partial
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import settings

WEB = Path(__file__).resolve().parent
PUBLIC = WEB / "public"
SOCKET_IO = WEB / "node_modules" / "socket.io-client" / "dist" / "socket.io.min.js"


def routes() -> dict:
    return {
        "/": PUBLIC / "index.html",
        "/page.css": PUBLIC / "page.css",
        "/widget/widget.js": PUBLIC / "widget.js",
        "/widget/widget.css": PUBLIC / "widget.css",
        "/widget/vendor/socket.io.min.js": SOCKET_IO,
    }


def demo_config(rasa_url: str) -> bytes:
    return f"window.MBCChat = {json.dumps({'serverUrl': rasa_url})};\n".encode()


def security_headers(rasa_url: str) -> dict:
    rasa = urlsplit(rasa_url)
    websocket = f"{'wss' if rasa.scheme == 'https' else 'ws'}://{rasa.netloc}"
    return {
        "Content-Security-Policy": (f"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                                    f"connect-src 'self' {rasa.scheme}://{rasa.netloc} {websocket}; "
                                    "base-uri 'none'; form-action 'none'; frame-ancestors 'self'"),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "Cache-Control": "no-cache",
    }


class Handler(BaseHTTPRequestHandler):
    server_version = "mbc-web"

    def __init__(self, *args, rasa_url: str, **kwargs):
        self.rasa_url = rasa_url
        super().__init__(*args, **kwargs)

    def do_GET(self):  # noqa: N802 (http.server's naming)
        path = urlsplit(self.path).path
        if path == "/favicon.ico":
            return self.reply(204, b"", "image/x-icon")
        if path == "/widget/demo-config.js":
            return self.reply(200, demo_config(self.rasa_url), "text/javascript")
        target = routes().get(path)
        if target is None or not target.exists():
            return self.reply(404, b"Not found\n", "text/plain")
        kind = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        if kind in ("application/javascript", "text/javascript"):
            kind = "text/javascript"
        return self.reply(200, target.read_bytes(), kind + ("; charset=utf-8" if kind.startswith("text/") else ""))

    def do_HEAD(self):  # noqa: N802
        self.do_GET()

    def reply(self, status: int, body: bytes, kind: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        for name, value in security_headers(self.rasa_url).items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def log_message(self, format, *args):  # quiet: no request lines with user data in the logs
        pass


def main() -> int:
    host = settings.get("MBC_WEB_HOST")
    port = settings.get_int("MBC_WEB_PORT")
    rasa_url = settings.get("MBC_PUBLIC_RASA_URL")
    if not SOCKET_IO.exists():
        print(f"{SOCKET_IO} is missing: run `npm ci --prefix web` (make run does it)", file=sys.stderr)
        return 1
    server = ThreadingHTTPServer((host, port), partial(Handler, rasa_url=rasa_url))
    print(f"==> chat widget demo page on http://{'localhost' if host == '127.0.0.1' else host}:{port}/", flush=True)
    server.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
