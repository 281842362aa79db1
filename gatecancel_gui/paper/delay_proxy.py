"""A TCP proxy on loopback that gives the paper exchange the shape of a real network: every byte is
delayed by half a round trip each way, a new connection costs a round trip before its first byte (the
TCP handshake; TLS's own round trip then happens through the proxy like any other bytes), and a
connection idle for too long is dropped, as servers and load balancers do.

Built on asyncio protocols with one timer per direction, not streams with a queue and a sleep per
chunk: it shares the paper exchange's interpreter, and a network costs the server no CPU."""

from __future__ import annotations

import asyncio
import collections
import threading

from gatecancel_gui.paper.listening import listening_socket
from gatecancel_gui.paper.loops import no_delay, quiet_loop_errors

_EOF = b""  # queued after the last bytes of a direction: half-close the other side when it is due


class _Direction:
    """Bytes read on one side, written to the other `delay` seconds later, in order, none before
    `hold_until`. One timer at a time: armed for the oldest chunk still due."""

    def __init__(self, loop: asyncio.AbstractEventLoop, delay: float, hold_until: float) -> None:
        self.loop, self.delay, self.hold_until = loop, delay, hold_until
        self.target: asyncio.Transport | None = None  # set once the other side is connected
        self.source: asyncio.Transport | None = None
        self._due: collections.deque[tuple[float, bytes]] = collections.deque()
        self._timer: asyncio.TimerHandle | None = None

    def push(self, data: bytes) -> None:
        self._due.append((max(self.loop.time(), self.hold_until) + self.delay, data))
        self._arm()

    def attach(self, target: asyncio.Transport) -> None:
        self.target = target
        self._arm()

    def _arm(self) -> None:
        if self._timer is None and self._due and self.target is not None:
            self._timer = self.loop.call_at(self._due[0][0], self._release)

    def _release(self) -> None:
        self._timer = None
        target, now = self.target, self.loop.time()
        assert target is not None
        while self._due and self._due[0][0] <= now:
            data = self._due.popleft()[1]
            if target.is_closing():
                self._due.clear()
                return
            if not data:  # _EOF
                if target.can_write_eof():
                    target.write_eof()
                else:
                    target.close()
            else:
                target.write(data)
        self._arm()

    def cancel(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self._due.clear()


class _Side(asyncio.Protocol):
    """One socket of a proxied connection: what it reads goes into `outgoing`; the transport it owns is
    the target of the other direction."""

    def __init__(self, link: _Link, outgoing: _Direction, incoming: _Direction) -> None:
        self.link, self.outgoing, self.incoming = link, outgoing, incoming
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        assert self.transport is not None
        no_delay(self.transport)
        self.outgoing.source = self.transport
        self.incoming.attach(self.transport)

    def data_received(self, data: bytes) -> None:
        self.link.touch()
        self.outgoing.push(data)

    def eof_received(self) -> bool:
        self.outgoing.push(_EOF)
        return True  # keep the other direction open until it ends too

    def connection_lost(self, exc: Exception | None) -> None:
        self.link.lost(self)

    def pause_writing(self) -> None:  # the socket we write to is full: stop reading what feeds it
        if self.incoming.source is not None:
            self.incoming.source.pause_reading()

    def resume_writing(self) -> None:
        if self.incoming.source is not None:
            self.incoming.source.resume_reading()


class _Link:
    """A client's connection and its upstream one, dropped together."""

    def __init__(self, proxy: DelayProxy, loop: asyncio.AbstractEventLoop) -> None:
        now = loop.time()
        half = proxy.rtt_s / 2
        self.proxy, self.loop = proxy, loop
        self.up = _Direction(loop, half, now + proxy.rtt_s)  # client → server: the handshake's round trip first
        self.down = _Direction(loop, half, 0.0)
        self.client = _Side(self, self.up, self.down)
        self.server: _Side | None = None
        self.last = now
        self._watch: asyncio.TimerHandle | None = None
        self._closed = False

    def touch(self) -> None:
        self.last = self.loop.time()

    async def open_upstream(self) -> None:
        try:
            server = _Side(self, self.down, self.up)
            await self.loop.create_connection(lambda: server, "127.0.0.1", self.proxy.upstream_port)
            self.server = server
        except OSError:
            self.close()
            return
        if self._closed:
            self.close()
            return
        if self.proxy.idle_close_s:
            self._watch = self.loop.call_later(self.proxy.idle_close_s, self._check_idle)

    def _check_idle(self) -> None:
        idle_close_s = self.proxy.idle_close_s or 0.0
        idle = self.loop.time() - self.last
        if idle >= idle_close_s:
            self.proxy.connections_dropped_idle += 1
            self.close()
        else:
            self._watch = self.loop.call_later(idle_close_s - idle, self._check_idle)

    def lost(self, side: _Side) -> None:
        """One socket ended: what it already sent still arrives, then the other is closed."""
        if self._closed:
            return
        other = self.server if side is self.client else self.client
        direction = self.up if side is self.client else self.down
        direction.push(_EOF)
        if other is None or other.transport is None:
            self.close()
        else:
            self.loop.call_at(self.loop.time() + direction.delay + 0.001, self.close)

    def close(self) -> None:
        self._closed = True
        if self._watch is not None:
            self._watch.cancel()
        for direction in (self.up, self.down):
            direction.cancel()
        for side in (self.client, self.server):
            if side is not None and side.transport is not None:
                side.transport.close()
        self.proxy.links.discard(self)


class DelayProxy:
    def __init__(self, upstream_port: int, rtt_s: float = 0.0, idle_close_s: float | None = None) -> None:
        self.upstream_port = upstream_port
        self.rtt_s = rtt_s
        self.idle_close_s = idle_close_s
        self.connections_opened = 0
        self.connections_dropped_idle = 0
        self.links: set[_Link] = set()  # every open connection, closed before the loop goes
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._server: asyncio.AbstractServer | None = None
        self._port = 0
        self._tasks: set[asyncio.Task[None]] = set()
        self._thread = threading.Thread(target=self._run, name="paper-delay-proxy", daemon=True)

    @property
    def port(self) -> int:
        return self._port

    def start(self) -> DelayProxy:
        self._thread.start()
        self._ready.wait(10)
        return self

    def stop(self) -> None:
        if self._loop.is_running():
            self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)

    def _accept(self) -> asyncio.Protocol:
        self.connections_opened += 1
        link = _Link(self, self._loop)
        self.links.add(link)
        task = self._loop.create_task(link.open_upstream())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return link.client

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._loop.set_exception_handler(quiet_loop_errors)
        self._server = self._loop.run_until_complete(
            self._loop.create_server(self._accept, sock=listening_socket(0), backlog=512))
        self._port = self._server.sockets[0].getsockname()[1]
        self._ready.set()
        try:
            self._loop.run_forever()
        finally:
            self._server.close()
            for link in list(self.links):
                link.close()
            for task in self._tasks:
                task.cancel()
            self._loop.run_until_complete(asyncio.gather(*self._tasks, return_exceptions=True))
            self._loop.run_until_complete(asyncio.sleep(0))  # let each transport release its socket
            self._loop.close()


