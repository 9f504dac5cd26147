"""A local stand-in for the messaging platforms' outgoing APIs (Telegram Bot API, Twilio, Slack Web API):
it records every request the assistant makes and answers as the platform would. Tests only."""
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs


class Recorder:
    def __init__(self):
        self.requests = []
        self.lock = threading.Lock()

    def add(self, entry):
        with self.lock:
            self.requests.append(entry)

    def sent(self, kind, since=0):
        with self.lock:
            return [r for r in self.requests[since:] if r["kind"] == kind]

    def wait_for(self, kind, count, since=0, timeout=20):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.sent(kind, since)
            if len(found) >= count:
                return found
            time.sleep(0.1)
        return self.sent(kind, since)


def _fields(handler, body: bytes) -> dict:
    kind = handler.headers.get("Content-Type", "")
    if "json" in kind:
        return json.loads(body or b"{}")
    if "multipart/form-data" in kind:
        import cgi
        from io import BytesIO
        form = cgi.FieldStorage(fp=BytesIO(body), headers=handler.headers,
                                environ={"REQUEST_METHOD": "POST", "CONTENT_TYPE": kind})
        return {k: form.getvalue(k) for k in form.keys()}
    return {k: v[0] for k, v in parse_qs(body.decode()).items()}


def make_handler(recorder: Recorder, bot_name: str):
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            fields = _fields(self, body)
            if "/getMe" in self.path:
                return self.reply(200, {"ok": True, "result": {"id": 42, "is_bot": True, "first_name": "MBC",
                                                                "username": bot_name}})
            if "/sendMessage" in self.path:
                recorder.add({"kind": "telegram", "path": self.path, "fields": fields})
                return self.reply(200, {"ok": True, "result": {
                    "message_id": len(recorder.requests), "date": int(time.time()),
                    "chat": {"id": int(fields.get("chat_id", 0)), "type": "private"}, "text": fields.get("text")}})
            if "/me/messages" in self.path:
                kind = "messenger_action" if "sender_action" in fields else "messenger"
                recorder.add({"kind": kind, "path": self.path, "fields": fields})
                return self.reply(200, {"recipient_id": (fields.get("recipient") or {}).get("id"),
                                        "message_id": f"m_{len(recorder.requests)}"})
            if self.path.endswith("/chat.postMessage"):
                recorder.add({"kind": "slack", "path": self.path, "fields": fields})
                return self.reply(200, {"ok": True, "channel": fields.get("channel"), "ts": f"{time.time():.6f}"})
            if self.path.endswith("/Messages.json"):
                recorder.add({"kind": "twilio", "path": self.path, "fields": fields})
                return self.reply(201, {"sid": f"SM{len(recorder.requests):032d}", "status": "queued",
                                        "body": fields.get("Body"), "to": fields.get("To"), "from": fields.get("From")})
            recorder.add({"kind": "unknown", "path": self.path, "fields": fields})
            return self.reply(404, {"ok": False})

        do_GET = do_POST

        def reply(self, status, payload):
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    return Handler


def start(bot_name: str):
    recorder = Recorder()
    server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(recorder, bot_name))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, recorder
