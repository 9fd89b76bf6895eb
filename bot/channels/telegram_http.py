"""python-telegram-bot's HTTP transport on aiohttp, the HTTP library the rest of the bot uses.

PTB talks to the Bot API through a :class:`telegram.request.BaseRequest`; its default one is
built on httpx. Measured on the webhook benchmark, httpx's request path (building the request,
URL-encoding every field, its connection pool) was about a third of the bot's CPU per update;
aiohttp with a JSON body does the same call for a fraction of that. Everything above the
transport (``Bot`` methods, error mapping, the rate limiter) stays PTB's own.
"""

from __future__ import annotations

import json
import os
import ssl

import aiohttp
import certifi
from aiohttp.helpers import get_env_proxy_for_url
from telegram._utils.defaultvalue import DefaultValue  # PTB's own type for DEFAULT_NONE
from telegram._utils.types import ODVInput  # BaseRequest.do_request's parameter type
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData
from yarl import URL

_JSON = {"Content-Type": "application/json"}
_Proxy = tuple[URL | None, aiohttp.BasicAuth | None]


class AiohttpRequest(BaseRequest):
    """A :class:`~telegram.request.BaseRequest` on one :class:`aiohttp.ClientSession`.

    Calls without files go as a JSON body (the Bot API's ``application/json`` form), with files
    as ``multipart/form-data``. aiohttp has no timeout for writing a request body on its own:
    ``write_timeout`` bounds the whole call together with the read and connect timeouts.
    """

    def __init__(
        self,
        *,
        connection_pool_size: int = 16,
        read_timeout: float | None = 5.0,
        write_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
        media_write_timeout: float | None = 20.0,
    ) -> None:
        self._pool_size = connection_pool_size
        self._read_timeout = read_timeout
        self._write_timeout = write_timeout
        self._connect_timeout = connect_timeout
        self._pool_timeout = pool_timeout
        self._media_write_timeout = media_write_timeout
        self._session: aiohttp.ClientSession | None = None
        self._proxies: dict[tuple[str, str | None], _Proxy] = {}

    @property
    def read_timeout(self) -> float | None:
        return self._read_timeout

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._pool_size, ssl=_ssl_context()),
                headers={"User-Agent": self.USER_AGENT},
            )
            self._proxies.clear()

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

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
        if self._session is None or self._session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        files = bool(request_data and request_data.contains_files)
        read = _given(read_timeout, self._read_timeout)
        write = _given(write_timeout, self._media_write_timeout if files else self._write_timeout)
        connect = _given(connect_timeout, self._connect_timeout)
        pool = _given(pool_timeout, self._pool_timeout)
        timeout = aiohttp.ClientTimeout(
            # aiohttp's ``connect`` covers waiting for a pooled connection and opening one.
            connect=_sum(connect, pool),
            sock_connect=connect,
            sock_read=read,
            total=_sum(_sum(connect, pool), _sum(write, read)),
        )
        headers: dict[str, str] | None = None
        body: bytes | aiohttp.FormData | None = None
        if request_data is not None:
            if files:
                body = _form(request_data)
            else:
                body = json.dumps(
                    request_data.parameters, ensure_ascii=False, separators=(",", ":")
                ).encode()
                headers = _JSON
        proxy, proxy_auth = self._proxy(url)
        try:
            async with self._session.request(
                method,
                url,
                data=body,
                headers=headers,
                timeout=timeout,
                proxy=proxy,
                proxy_auth=proxy_auth,
            ) as response:
                return response.status, await response.read()
        except aiohttp.ConnectionTimeoutError as err:
            raise TimedOut(
                "Pool or connect timeout: the request was not sent to Telegram."
            ) from err
        except TimeoutError as err:
            raise TimedOut from err
        except aiohttp.ClientError as err:
            raise NetworkError(f"aiohttp.{type(err).__name__}: {err}") from err

    def _proxy(self, url: str) -> _Proxy:
        """HTTP(S)_PROXY / NO_PROXY from the environment, as PTB's httpx transport honours them
        (offices often reach the internet only through a proxy). Read once per origin: aiohttp's
        ``trust_env`` reads the environment on every request, which cost more than the request."""
        target = URL(url)
        key = (target.scheme, target.host)
        found = self._proxies.get(key)
        if found is None:
            try:
                found = get_env_proxy_for_url(target)
            except LookupError:
                found = (None, None)
            self._proxies[key] = found
        return found


def _ssl_context() -> ssl.SSLContext:
    """The CA certificates PTB's httpx transport trusts: ``SSL_CERT_FILE`` or ``SSL_CERT_DIR``
    when set (a proxy that inspects TLS brings its own CA), else certifi's bundle (a laptop or a
    slim container may have no usable system store)."""
    if os.environ.get("SSL_CERT_FILE"):
        return ssl.create_default_context(cafile=os.environ["SSL_CERT_FILE"])
    if os.environ.get("SSL_CERT_DIR"):
        return ssl.create_default_context(capath=os.environ["SSL_CERT_DIR"])
    return ssl.create_default_context(cafile=certifi.where())


def _given(value: ODVInput[float], default: float | None) -> float | None:
    """PTB passes a default marker (``DEFAULT_NONE``) when a call sets no timeout of its own."""
    return default if isinstance(value, DefaultValue) else value


def _sum(a: float | None, b: float | None) -> float | None:
    """Two timeouts in a row; None (no limit) wins."""
    return None if a is None or b is None else a + b


def _form(request_data: RequestData) -> aiohttp.FormData:
    form = aiohttp.FormData()
    for name, value in request_data.json_parameters.items():
        form.add_field(name, value)
    for name, (filename, content, mimetype) in request_data.multipart_data.items():
        form.add_field(name, content, filename=filename, content_type=mimetype)
    return form
