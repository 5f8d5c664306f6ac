"""Running the emulator over a real socket: ``serve`` (blocking, for ``humectl emulator serve``) and
``run_in_thread`` (a background server for tests and benchmarks, shut down on exit); and what ``serve``
checks first: a key read from a file (so ``ps`` shows none), and a warning for an open door.

Both bind the socket themselves before uvicorn starts, so port 0 works and the real port is known.
"""

from __future__ import annotations

import ipaddress
import signal
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import uvicorn
from starlette.applications import Starlette

from humectl.emulator.app import EmulatorConfig, create_app


class KeyFileError(ValueError):
    """``--api-key-file`` names no usable key (the CLI reports it as a usage error)."""


def key_from_file(path: str) -> str:
    """The key in ``path`` (``--api-key-file``): its text without the line end a file usually has."""
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise KeyFileError(f"--api-key-file: cannot read {path}: {exc.strerror or exc}") from None
    try:
        key = raw.decode("utf-8").strip("\r\n")
    except UnicodeDecodeError:
        raise KeyFileError(f"--api-key-file: {path} is not UTF-8 text") from None
    if not key.strip() or "\n" in key or "\r" in key:
        raise KeyFileError(f"--api-key-file: {path} must hold the key, on one line")
    return key


def is_loopback_host(host: str) -> bool:
    """Whether ``host`` (``serve --host``) is this machine only: a loopback address or ``localhost``."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def open_door_warning(host: str, api_key: str | None) -> str | None:
    """What to say when ``serve`` listens beyond this machine with no key: anyone who can reach the
    port may read, change, reset or seed the whole account (the admin endpoints included)."""
    if api_key or is_loopback_host(host):
        return None
    return (
        f"warning: the emulator listens on {host} without a key: anyone who can reach it may read, change "
        "or reset the account; set HUMECTL_EMULATOR_API_KEY or --api-key-file"
    )


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # proto=IPPROTO_TCP matters: asyncio only sets TCP_NODELAY on accepted sockets whose proto says TCP,
    # and without it every response waits ~40 ms for delayed ACKs.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.setblocking(False)
    return sock


def _url(host: str, sock: socket.socket) -> str:
    port = sock.getsockname()[1]
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def _server(
    config: EmulatorConfig, log_level: str, wrap: Callable[[Any], Any] | None = None
) -> tuple[uvicorn.Server, Starlette]:
    app = create_app(config)
    server = uvicorn.Server(
        uvicorn.Config(
            wrap(app) if wrap else app, lifespan="off", log_level=log_level, access_log=False, server_header=False
        )
    )
    return server, app


def serve(
    config: EmulatorConfig,
    host: str = "127.0.0.1",
    port: int = 8765,
    *,
    announce: Callable[[str], None] | None = None,
    log_level: str = "warning",
) -> None:
    """Serve until Ctrl-C / SIGTERM, then return (no KeyboardInterrupt); ``announce`` gets the base URL
    once listening. Call it from the main thread (signal handlers are installed there)."""
    server, app = _server(config, log_level)  # before binding: a seed that fails leaves no socket open
    try:
        sock = _bind(host, port)
    except BaseException:
        app.state.store.close()
        raise
    try:
        with _stop_on_signals(server):
            if announce is not None:
                announce(_url(host, sock))
            server.run(sockets=[sock])
    finally:
        app.state.store.close()


@contextmanager
def _stop_on_signals(server: uvicorn.Server) -> Iterator[None]:
    """SIGINT and SIGTERM ask ``server`` to stop, from the moment the URL is announced.

    uvicorn installs its own handlers only once its event loop runs. A signal in between (a script
    that reads the URL and stops the server at once) would otherwise raise KeyboardInterrupt inside
    asyncio's loop set-up and leave a half-built loop (a traceback at exit). uvicorn also hands the
    signals it caught back to these handlers when it is done, which then do nothing new.
    """

    def stop(signum: int, frame: Any) -> None:
        server.should_exit = True

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


@contextmanager
def run_in_thread(
    config: EmulatorConfig, host: str = "127.0.0.1", port: int = 0, *, wrap: Callable[[Any], Any] | None = None
) -> Iterator[str]:
    """A uvicorn server in a daemon thread; yields its base URL (``http://127.0.0.1:<real port>``).

    ``wrap`` (tests) gets the ASGI app and returns the one to serve, e.g. a response-checking middleware.
    """
    sock = _bind(host, port)
    server, app = _server(config, "warning", wrap)
    # uvicorn installs signal handlers only in the main thread, so running it here is safe.
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="humectl-emulator", daemon=True)
    thread.start()
    try:
        deadline = threading.Event()
        for _ in range(500):
            if server.started or not thread.is_alive():
                break
            deadline.wait(0.01)
        if not server.started:
            raise RuntimeError("the emulator did not start")
        yield _url(host, sock)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
        app.state.store.close()
