"""python-telegram-bot's requests over aiohttp, for the broadcast sender.

Why: a broadcast makes hundreds of requests a second, and most of the CPU they cost was
httpx's connection pool, which checks every pooled connection (a system call each) for every
request. With aiohttp's connector the same broadcast takes about half the CPU per message
(see the README's benchmark), which leaves the event loop free to start each send on time.
The interactive bot keeps python-telegram-bot's default HTTPXRequest.
"""

from __future__ import annotations

import aiohttp
from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData


class AiohttpRequest(BaseRequest):
    def __init__(self, connections: int = 128, timeout: float = 10.0) -> None:
        self._connections = connections
        self._timeout = timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float:
        return self._timeout

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._connections),
                headers={"User-Agent": self.USER_AGENT},
            )

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """Same encoding as HTTPXRequest: form fields holding JSON, multipart with files."""
        if self._session is None or self._session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        # a call's own read timeout (getUpdates has one), else the sender's
        read = read_timeout if isinstance(read_timeout, int | float) else self._timeout
        timeout = aiohttp.ClientTimeout(total=None, sock_connect=self._timeout, sock_read=read)
        try:
            async with self._session.request(
                method, url, data=_body(request_data), timeout=timeout
            ) as response:
                return response.status, await response.read()
        except TimeoutError as error:  # aiohttp's ServerTimeoutError is one too
            raise TimedOut from error
        except aiohttp.ClientError as error:
            # the URL holds the token, and this text is kept in the outbox and its CSV
            detail = str(error).replace(url, url.rsplit("/", 1)[-1])
            raise NetworkError(f"aiohttp.{type(error).__name__}: {detail}") from error


def _body(request_data: RequestData | None) -> aiohttp.FormData | dict[str, str] | None:
    if request_data is None:
        return None
    if not request_data.contains_files:
        return request_data.json_parameters
    form = aiohttp.FormData(request_data.json_parameters)
    for name, upload in request_data.multipart_data.items():
        filename, content, mime_type = upload
        form.add_field(name, content, filename=filename, content_type=mime_type)
    return form
