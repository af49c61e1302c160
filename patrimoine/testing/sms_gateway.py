"""A real HTTP SMS gateway for the tests: Python's http.server on 127.0.0.1 in a thread, taking the
JSON POSTs of `patrimoine.portal.texting.HttpGatewayBackend` as a French SMS provider would. No mock:
the message crosses the real network path (requests → socket → server)."""

import json
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TOKEN = "jeton-passerelle-de-test"


@dataclass
class Gateway:
    url: str
    received: list[dict] = field(default_factory=list)  # {"path", "headers", "body"} per POST
    status: int = 201  # what the gateway answers (set 503 to simulate an outage)


@contextmanager
def sms_gateway(settings):
    """Start the gateway and point SMS_* settings at it; yields the Gateway (its `received` list)."""
    gateway = Gateway(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 — http.server's naming
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length)
            gateway.received.append(
                {"path": self.path, "headers": dict(self.headers.items()), "body": json.loads(raw or b"null")}
            )
            answer = json.dumps({"id": f"msg-{len(gateway.received)}"}).encode()
            self.send_response(gateway.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args):  # keep the test output quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    gateway.url = f"http://127.0.0.1:{server.server_address[1]}/v1/sms"
    settings.SMS_BACKEND = "patrimoine.portal.texting.HttpGatewayBackend"
    settings.SMS_GATEWAY_URL = gateway.url
    settings.SMS_GATEWAY_TOKEN = TOKEN
    settings.SMS_GATEWAY_TEMPLATE = '{"recipients": ["$to"], "message": {"text": "$text", "from": "$sender"}}'
    try:
        yield gateway
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
