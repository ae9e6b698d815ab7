"""The project's ASGI application under uvicorn in a thread, on a free port of its own, for tests over real HTTP."""

import socket
import threading
import time
from contextlib import contextmanager

import uvicorn

PORTS = range(8130, 8140)  # the ports this test area may take


def free_port() -> int:
    for port in PORTS:
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {PORTS}")


@contextmanager
def serving(application, *, timeout: float = 20.0):
    """Serve ``application`` (lifespan on, as deployed) and yield its base URL; stop it afterwards."""
    port = free_port()
    config = uvicorn.Config(application, host="127.0.0.1", port=port, lifespan="on", log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name=f"uvicorn-{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError(f"uvicorn did not start on port {port}")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout)
