"""A tiny HTTP server on 127.0.0.1 that serves fixed bodies and counts the requests it gets
(the other system an Open311 media_url points at)."""
from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class MediaServer:
    def __init__(self):
        self.bodies: dict[str, tuple[int, bytes, dict]] = {}
        self.hits: list[str] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                server.hits.append(self.path)
                status, body, headers = server.bodies.get(self.path, (404, b"not here", {}))
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.host = f"127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def serve(self, path: str, body: bytes, status: int = 200, **headers) -> str:
        self.bodies[path] = (status, body, headers)
        return f"http://{self.host}{path}"

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()
