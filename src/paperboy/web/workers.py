"""``paperboy serve --workers N``: N uvicorn processes, each accepting on its own socket.

uvicorn's own supervisor hands every worker one shared listening socket, and whichever
process wakes first accepts a whole burst of connections: 200 keep-alive connections split
120/80, and the busier process answered every request ~1.5× later (bench/README.md, "The
load mix"). Here each worker gets its own ``SO_REUSEPORT`` socket on the same port and the
kernel spreads new connections evenly over them. A worker that dies is started again on
its socket; one that cannot start at all stops the server, as uvicorn does.
"""

from __future__ import annotations

import functools
import logging
import signal
import socket
import threading
from multiprocessing.process import BaseProcess

import uvicorn
from uvicorn._subprocess import get_subprocess
from uvicorn.config import STARTUP_FAILURE  # its exit code for an app that cannot start

log = logging.getLogger(__name__)

CHECK_EVERY = 0.5  # seconds between looks at the workers
STOP_WAIT = 20.0  # seconds a worker gets to finish its requests on shutdown


class CannotListen(OSError):
    """The address or port cannot be bound."""


def listening_socket(host: str, port: int) -> socket.socket:
    """A bound socket in the port's ``SO_REUSEPORT`` group, made with protocol TCP.

    uvicorn makes its sockets with protocol 0, so asyncio never sets TCP_NODELAY on the
    connections it accepts, and every response waits out the client's delayed ACK (+40 ms).
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise CannotListen(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    sock.set_inheritable(True)
    return sock


def _run(config: uvicorn.Config, sockets: list[socket.socket]) -> None:
    uvicorn.Server(config).run(sockets=sockets)


class Workers:
    """Starts, watches and stops the worker processes."""

    def __init__(self, config: uvicorn.Config, workers: int) -> None:
        self.config = config
        self.sockets = [listening_socket(config.host, config.port) for _ in range(workers)]
        self.processes: list[BaseProcess] = []
        self.stopping = threading.Event()

    def _start(self, index: int) -> BaseProcess:
        # The same child start-up as uvicorn's (its logging set-up, stdin), on one socket.
        process = get_subprocess(
            self.config, functools.partial(_run, self.config), [self.sockets[index]]
        )
        process.start()
        return process

    def run(self) -> None:
        """Serve until SIGINT or SIGTERM, then stop every worker."""
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: self.stopping.set())
        try:
            self.processes = [self._start(i) for i in range(len(self.sockets))]
            while not self.stopping.wait(CHECK_EVERY):
                self._replace_dead()
        finally:
            self._stop()

    def _replace_dead(self) -> None:
        for i, process in enumerate(self.processes):
            if process.is_alive() or self.stopping.is_set():
                continue
            process.join()
            if process.exitcode == STARTUP_FAILURE:
                log.error("worker %s could not start; stopping", process.pid)
                self.stopping.set()
                return
            log.warning("worker %s died (exit %s); starting another", process.pid, process.exitcode)
            self.processes[i] = self._start(i)

    def _stop(self) -> None:
        for process in self.processes:
            if process.is_alive():
                process.terminate()  # uvicorn finishes the requests it has, then exits
        for process in self.processes:
            process.join(STOP_WAIT)
            if process.is_alive():
                process.kill()
                process.join()
        for sock in self.sockets:
            sock.close()
