"""``speechsearch serve``: the web app on a local port, until Ctrl-C."""

from __future__ import annotations

import ipaddress
import socket
import sys
import threading
import webbrowser

from ..errors import SpeechsearchError


def serve_corpus(store, corpus_loader, host: str, port: int, open_browser: bool) -> None:
    import uvicorn

    from ..engine.store import IndexStore
    from .app import create_app

    live = IndexStore(store.path, keep_open=True)
    sock = _bind(host, port)
    url = f"http://{_shown_host(host)}:{sock.getsockname()[1]}/"
    if not _is_loopback(host):
        print(f"speechsearch: listening on {host}: the corpus is visible to the network", file=sys.stderr)
    print(f"speechsearch: serving {store.path} on {url} (Ctrl-C to stop)", file=sys.stderr, flush=True)
    server = uvicorn.Server(uvicorn.Config(create_app(live, corpus_loader), log_level="warning", access_log=False))
    if open_browser:
        threading.Timer(0.5, webbrowser.open, args=(url,)).start()
    try:
        server.run(sockets=[sock])  # uvicorn stops on Ctrl-C, then raises it again
    except KeyboardInterrupt:
        print("speechsearch: stopped", file=sys.stderr)
    finally:
        live.close()
        sock.close()


def _bind(host: str, port: int) -> socket.socket:
    """The listening socket, bound here so that a port in use is one line, not a server log."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise SpeechsearchError(f"--host {host}: not an address of this machine ({exc.strerror})") from None
    family, _, _, _, address = infos[0]
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # Accepted connections inherit this. Without it a response written in two parts waits for
    # the client's delayed ACK: 40 ms added to every request (uvicorn sets it only on sockets
    # it binds itself).
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        sock.bind(address)
    except OSError as exc:
        sock.close()
        hint = f"; try --port {port + 1}" if exc.errno == 98 else ""
        raise SpeechsearchError(f"cannot listen on {host}:{port} ({exc.strerror}){hint}") from None
    sock.listen(128)
    return sock


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _shown_host(host: str) -> str:
    return "127.0.0.1" if host in ("0.0.0.0", "") else (f"[{host}]" if ":" in host else host)
