"""HTTP/2 streams sent on a new connection before the server's SETTINGS arrive.

httpcore (1.0.x) opens one stream on a new HTTP/2 connection and waits for the server's SETTINGS frame
before opening a second. The server sends that frame only once its TLS handshake is done, so it reaches
the client together with the first answer: every other request of a cold load (the look-ahead page, a
parallel read) waits one whole round trip behind the first (measured: a cold load of 1,000 orders took
4.5 round trips at 150 ms, of which one was this wait). HTTP/2 says the limit is unbounded until the
server's SETTINGS say otherwise (RFC 9113 §6.5.2), and h2 itself assumes so; servers announce 100 or more
(nginx/openresty 128, hypercorn 100). So a new connection here starts with `EARLY_STREAMS` streams, and
the server's SETTINGS then raise or lower that as httpcore would, except that a lowering never blocks the
connection's reader (httpcore's own lowering waits for free streams while holding the read lock, which
the streams holding them need to finish).

The hook is httpcore's module attribute that its connections look up each time they create an HTTP/2
connection (direct, HTTP proxy and SOCKS5 alike); `install()` sets it once. httpcore is pinned, and a test
drives a server that withholds SETTINGS until it has seen two streams."""

from __future__ import annotations

import asyncio
import logging

import h2.events
import httpcore
import httpcore._async.http2 as httpcore_http2
from httpcore._synchronization import AsyncSemaphore, AsyncShieldCancellation

log = logging.getLogger(__name__)
EARLY_STREAMS = 64  # a cancel's requests in flight, and below any common server's MAX_CONCURRENT_STREAMS
_ORIGINAL = httpcore_http2.AsyncHTTP2Connection


class EagerHTTP2Connection(_ORIGINAL):
    """httpcore's HTTP/2 connection, starting with EARLY_STREAMS streams instead of one."""

    _lowering: set[asyncio.Task[None]]

    async def handle_async_request(self, request: httpcore.Request) -> httpcore.Response:
        if not self._sent_connection_init:
            async with self._init_lock:
                if not self._sent_connection_init:
                    await self._start_eagerly(request)
        return await super().handle_async_request(request)

    async def _start_eagerly(self, request: httpcore.Request) -> None:
        """What httpcore does on the first request, with EARLY_STREAMS permits instead of one."""
        try:
            await self._send_connection_init(request)
        except BaseException:
            with AsyncShieldCancellation():
                await self.aclose()
            raise
        self._sent_connection_init = True
        local = int(self._h2_state.local_settings.max_concurrent_streams)
        self._max_streams = min(EARLY_STREAMS, local)
        self._max_streams_semaphore = AsyncSemaphore(local)
        for _ in range(local - self._max_streams):
            await self._max_streams_semaphore.acquire()
        self._lowering = set()

    async def _write_outgoing_data(self, request: httpcore.Request) -> None:
        """httpcore calls this ~14 times a request (counted), mostly with nothing to send, and each call took
        the write lock and wrote the empty bytes through TLS, on the path of every answer of a burst. With
        nothing to send and no earlier write failure to report, there is nothing to do."""
        if not self._h2_state._data_to_send and self._write_exception is None:
            return
        await super()._write_outgoing_data(request)

    async def _receive_remote_settings_change(self, event: h2.events.RemoteSettingsChanged) -> None:
        changed = event.changed_settings.get(h2.settings.SettingCodes.MAX_CONCURRENT_STREAMS)
        if not changed:
            return
        wanted = min(int(changed.new_value), int(self._h2_state.local_settings.max_concurrent_streams))
        if wanted <= 0:
            return
        while wanted > self._max_streams:
            await self._max_streams_semaphore.release()
            self._max_streams += 1
        if wanted < self._max_streams:  # take the surplus as streams finish, without holding up the reader
            log.info("the server allows %d HTTP/2 streams; %d were assumed", wanted, self._max_streams)
            surplus, self._max_streams = self._max_streams - wanted, wanted
            lowering: set[asyncio.Task[None]] = getattr(self, "_lowering", set())
            task = asyncio.get_running_loop().create_task(self._take(surplus))
            lowering.add(task)
            task.add_done_callback(lowering.discard)
            self._lowering = lowering

    async def _take(self, permits: int) -> None:
        for _ in range(permits):
            await self._max_streams_semaphore.acquire()


def install() -> None:
    """Make httpcore's connections create EagerHTTP2Connection for HTTP/2 (idempotent)."""
    if httpcore_http2.AsyncHTTP2Connection is not EagerHTTP2Connection:
        httpcore_http2.AsyncHTTP2Connection = EagerHTTP2Connection  # type: ignore[misc]
