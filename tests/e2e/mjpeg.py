"""A live camera for the tests: an HTTP MJPEG stream (what many IP cameras serve) that plays the
given JPEG frames in a loop at a steady rate until it is closed, counting what it sent."""

from __future__ import annotations

import http.server
import socketserver
import threading
import time
from collections.abc import Sequence
from types import TracebackType

BOUNDARY = b"frame"


class MjpegCamera:
    def __init__(self, frames: Sequence[bytes], fps: float = 25.0) -> None:
        if not frames:
            raise ValueError("an MJPEG camera needs at least one frame")
        self.frames = list(frames)
        self.period_s = 1.0 / fps
        self.sent = 0
        self._closed = threading.Event()
        self._server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/video.mjpg"

    def __enter__(self) -> MjpegCamera:
        self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._closed.set()
        self._server.shutdown()
        self._server.server_close()

    def _handler(self) -> type[http.server.BaseHTTPRequestHandler]:
        camera = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self.send_response(200)
                self.send_header(
                    "Content-Type", f"multipart/x-mixed-replace; boundary={BOUNDARY.decode()}"
                )
                self.end_headers()
                index = 0
                try:
                    while not camera._closed.is_set():
                        jpeg = camera.frames[index % len(camera.frames)]
                        index += 1
                        self.wfile.write(
                            b"--" + BOUNDARY + b"\r\nContent-Type: image/jpeg\r\n"
                            b"Content-Length: "
                            + str(len(jpeg)).encode()
                            + b"\r\n\r\n"
                            + jpeg
                            + b"\r\n"
                        )
                        camera.sent += 1
                        time.sleep(camera.period_s)
                except (BrokenPipeError, ConnectionResetError):
                    return  # the client went away

            def log_message(self, format: str, *args: object) -> None:
                return  # quiet

        return Handler
