"""The inbox's HTTPS server: cheroot's WSGI server with its built-in TLS adapter.

    with InboxServer(InboxApp(reg), cert, key, host="0.0.0.0", port=8443) as server:
        server.wait()                        # until stopped (Ctrl+C on the command line)

cheroot (pure Python, the server under CherryPy, runs on Windows) serves the requests on
worker threads. What a hostile or broken client can cost is bounded:

- **Time**: the TLS handshake and the headers have `HEADER_SECONDS` (made on the worker, not on
  the thread that accepts connections), the whole request — headers, body, answer — has
  `deadline` seconds; every read from the socket waits at most what is left, so a client
  trickling a byte a second is cut off with 408. Each socket operation also times out after
  `SOCKET_SECONDS`.
- **Size**: headers at most 64 KiB, a body at most `max_body` (413 before it is read).
"""

from __future__ import annotations

import logging
import socket
import ssl
import threading
import time
from pathlib import Path
from types import TracebackType
from typing import Any

from cheroot import server as cheroot_server
from cheroot import wsgi
from cheroot.makefile import MakeFile, StreamReader
from cheroot.ssl.builtin import BuiltinSSLAdapter

from db.core.errors import UserError
from db.province.receiver import InboxApp

REQUEST_SECONDS = 120.0  # a 2 MB report over a slow line, with room to spare
SOCKET_SECONDS = 10
MAX_HEADERS = 64 * 1024
HEADER_SECONDS = 15.0  # the handshake and the headers: a client sends them at once
THREADS = 10
LINGER_SECONDS = 2.0  # at most, after a refusal the client did not wait for
LINGER_BYTES = 32 * 1024 * 1024


class _DeadlineIO(socket.SocketIO):
    """A socket's raw reader whose every read waits at most until the request's deadline."""

    def __init__(self, sock: socket.socket, connection: _Connection) -> None:
        super().__init__(sock, "rb")
        self._connection = connection

    def readinto(self, b: Any) -> int | None:
        deadline = self._connection.deadline
        if deadline is None:
            return super().readinto(b)
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("timed out")  # cheroot answers 408 to this text
        sock: socket.socket = self._sock  # type: ignore[attr-defined]
        usual = sock.gettimeout()
        sock.settimeout(min(usual, left) if usual else left)
        try:
            return super().readinto(b)
        finally:
            sock.settimeout(usual)


class _Reader(StreamReader):
    def __init__(self, sock: socket.socket, bufsize: int, connection: _Connection) -> None:
        super(StreamReader, self).__init__(_DeadlineIO(sock, connection), bufsize)
        self.bytes_read = 0


class _Request(cheroot_server.HTTPRequest):
    conn: _Connection

    def respond(self) -> None:
        # The headers are in: the body and the answer get the rest of the request's time.
        self.conn.deadline = self.conn.started + self.conn.request_seconds
        super().respond()

    def send_headers(self) -> None:
        # The application's "Connection: close" (every refusal) closes the connection: cheroot
        # would otherwise first read the rest of a refused body, however large or slow.
        if (b"Connection", b"close") in self.outheaders:
            self.close_connection = True
        super().send_headers()


class _Connection(cheroot_server.HTTPConnection):
    """A connection whose every request must be over within the server's deadline."""

    RequestHandlerClass = _Request
    request_seconds = REQUEST_SECONDS
    deadline: float | None = None
    started = 0.0
    shaken = False  # the TLS handshake is done

    def __init__(self, server: Any, sock: Any, makefile: Any = MakeFile) -> None:
        super().__init__(server, sock, makefile)
        self.rfile = _Reader(sock, self.rbufsize, self)

    def _close_kernel_socket(self) -> None:
        """A lingering close (as Apache's): end our side after the answer, then read and drop
        what the client still sends, for a moment, before closing. Closing with its bytes
        unread would reset the connection, and the client could lose the answer (a 408 or a
        413 sent before its body was read)."""
        raw = self.socket
        try:
            socket.socket.shutdown(raw, socket.SHUT_WR)  # the TCP socket under TLS: a FIN
            end, dropped = time.monotonic() + LINGER_SECONDS, 0
            while dropped < LINGER_BYTES and (left := end - time.monotonic()) > 0:
                raw.settimeout(left)
                part = socket.socket.recv(raw, 64 * 1024)
                if not part:
                    break
                dropped += len(part)
        except OSError:
            pass  # gone already, or the moment is over: close as usual
        super()._close_kernel_socket()  # type: ignore[misc]

    def communicate(self) -> Any:
        self.started = time.monotonic()
        self.deadline = self.started + min(HEADER_SECONDS, self.request_seconds)
        try:
            if not self.shaken and not self._handshake():
                return False  # cheroot closes the connection
            return super().communicate()  # type: ignore[no-untyped-call]
        finally:
            self.deadline = None

    def _handshake(self) -> bool:
        """The TLS handshake, here on a worker and within the headers' time (_Adapter)."""
        sock = self.socket
        if isinstance(sock, ssl.SSLSocket) and self.deadline is not None:
            usual = sock.gettimeout()
            sock.settimeout(max(0.01, self.deadline - time.monotonic()))  # for all of it
            try:
                sock.do_handshake()
            except (OSError, ValueError) as exc:  # (ssl.SSLError and a timeout are OSErrors)
                self.server.error_log(f"TLS {self.remote_addr}: {exc}")
                return False
            finally:
                sock.settimeout(usual)
        self.shaken = True
        return True


class InboxServer:
    """The inbox served over HTTPS on `host`:`port` (0: a free port, see `port`)."""

    def __init__(
        self,
        app: InboxApp,
        cert: Path,
        key: Path,
        *,
        host: str = "0.0.0.0",
        port: int = 8443,
        deadline: float = REQUEST_SECONDS,
        threads: int = THREADS,
    ) -> None:
        self.server = wsgi.Server((host, port), app, numthreads=threads, max=threads,
                                  timeout=SOCKET_SECONDS, shutdown_timeout=5)  # fmt: skip
        self.server.ssl_adapter = _adapter(Path(cert), Path(key))
        self.server.max_request_header_size = MAX_HEADERS
        # No limit of cheroot's own: the application refuses a body over its limit with a
        # message before reading it, and a body without a length (chunked) with 411.
        self.server.max_request_body_size = 0
        self.server.ConnectionClass = type("Connection", (_Connection,),
                                           {"request_seconds": deadline})  # fmt: skip
        self._thread: threading.Thread | None = None
        log = app.log

        def error_log(msg: str = "", level: int = 20, traceback: bool = False) -> None:
            # A dropped handshake, a port scanner: one line in the inbox's log, no traceback.
            if level >= logging.WARNING or "TLS" in str(msg):
                log(f"(kết nối) {str(msg)[:300]}")

        self.server.error_log = error_log  # type: ignore[method-assign]

    @property
    def port(self) -> int:
        """The port it listens on (after `start`)."""
        return int(self.server.bind_addr[1])

    @property
    def url(self) -> str:
        """The address a commune enters (with this machine's name or address for the host)."""
        host = str(self.server.bind_addr[0])
        shown = "TÊN-MÁY-TỈNH" if host in ("0.0.0.0", "::") else host
        return f"https://{shown}:{self.port}/bao-cao"

    def start(self) -> InboxServer:
        """Listen (UserError if the port is taken) and serve on a thread of its own."""
        try:
            self.server.prepare()
        except OSError as exc:
            raise UserError(
                f"Không mở được cổng {self.server.bind_addr[1]} để nhận báo cáo: "
                f"{exc.strerror or exc}. Hãy chọn cổng khác (--port).",
                field="port",
            ) from exc
        self._thread = threading.Thread(target=self.server.serve, name="inbox", daemon=True)
        self._thread.start()
        return self

    def wait(self, poll: float = 0.5) -> None:
        """Block until the server stops (Ctrl+C raises KeyboardInterrupt here)."""
        while self._thread is not None and self._thread.is_alive():
            self._thread.join(poll)

    def stop(self) -> None:
        """Stop listening, let the requests under way finish (a few seconds at most)."""
        self.server.stop()
        if self._thread is not None:
            self._thread.join(10)

    def __enter__(self) -> InboxServer:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


class _Adapter(BuiltinSSLAdapter):
    """cheroot's adapter, except that the handshake is left to the worker (_Connection): made
    here, on the one thread that accepts connections, a client that stalls in it would hold up
    every other connection."""

    def wrap(self, sock: socket.socket) -> tuple[ssl.SSLSocket, dict[str, str]]:
        wrapped = self.context.wrap_socket(sock, server_side=True, do_handshake_on_connect=False)
        return wrapped, {"wsgi.url_scheme": "https", "HTTPS": "on"}


def _adapter(cert: Path, key: Path) -> BuiltinSSLAdapter:
    """cheroot's TLS adapter for the province's certificate (PEM) and its key (PEM, no
    passphrase); UserError naming the file that does not load."""
    for path, field in ((cert, "cert"), (key, "key")):
        if not path.is_file():
            raise UserError(f"Không thấy tệp “{path}”.", field=field)
    try:
        adapter = _Adapter(str(cert), str(key))
    except (OSError, ssl.SSLError) as exc:
        raise UserError(
            f"Không dùng được chứng chỉ “{cert}” với khóa “{key}” (cần hai tệp PEM khớp nhau, "
            "khóa không đặt mật khẩu).",
            field="cert",
        ) from exc
    adapter.context.minimum_version = ssl.TLSVersion.TLSv1_2
    return adapter
