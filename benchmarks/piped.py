"""A stand-in (the Bot API server, the WhatsApp Cloud API) in a spawned process of its own,
answering commands over a pipe, so that its CPU time and memory are not the bot's."""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any


class PipedProcess:
    """`with` it to start the process; its first message on the pipe is `ready`, every
    later one answers an `ask`, and ("stop", None) ends it."""

    def __init__(
        self, target: Callable[[Connection, Any], None], world: Any, name: str, start_s: float
    ) -> None:
        context = multiprocessing.get_context("spawn")
        self._conn, child = context.Pipe()
        self._process = context.Process(target=target, args=(child, world), name=name)
        self._start_s = start_s
        self.ready: dict[str, Any] = {}

    def __enter__(self) -> PipedProcess:
        self._process.start()
        if not self._conn.poll(self._start_s):
            raise RuntimeError(f"the {self._process.name} process did not start")
        self.ready = self._conn.recv()
        return self

    def __exit__(self, *exc: object) -> None:
        with contextlib.suppress(OSError, EOFError):
            self._conn.send(("stop", None))
            self._conn.poll(10) and self._conn.recv()
        self._process.join(10)
        if self._process.is_alive():
            self._process.terminate()
            self._process.join()

    def _ask(self, command: str, argument: Any) -> Any:
        self._conn.send((command, argument))
        return self._conn.recv()

    async def ask(self, command: str, argument: Any = None) -> Any:
        """Send a command and wait for the answer without blocking the event loop."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(None, self._ask, command, argument)
