"""A TCP proxy on loopback that gives the paper exchange the shape of a real network: every byte is
delayed by half a round trip each way, a new connection costs a round trip before its first byte (the
TCP handshake; TLS's own round trip then happens through the proxy like any other bytes), and a
connection idle for too long is dropped, as servers and load balancers do."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
from typing import Any


class DelayProxy:
    def __init__(self, upstream_port: int, rtt_s: float = 0.0, idle_close_s: float | None = None) -> None:
        self.upstream_port = upstream_port
        self.rtt_s = rtt_s
        self.idle_close_s = idle_close_s
        self.connections_opened = 0
        self.connections_dropped_idle = 0
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._server: asyncio.AbstractServer | None = None
        self._writers: set[asyncio.StreamWriter] = set()  # every open socket, closed before the loop goes
        self._port = 0
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

    def _run(self) -> None:
        from gatecancel_gui.paper.network import quiet_loop_errors

        asyncio.set_event_loop(self._loop)
        self._loop.set_exception_handler(quiet_loop_errors)
        self._server = self._loop.run_until_complete(asyncio.start_server(self._serve, "127.0.0.1", 0, backlog=512))
        self._port = self._server.sockets[0].getsockname()[1]
        self._ready.set()
        try:
            self._loop.run_forever()
        finally:
            self._server.close()
            pending = asyncio.all_tasks(self._loop)
            for task in pending:
                task.cancel()
            self._loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
            for writer in self._writers:
                writer.close()
            self._loop.run_until_complete(asyncio.sleep(0))  # let each transport release its socket
            self._loop.close()

    async def _serve(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        loop = asyncio.get_running_loop()
        accepted = loop.time()
        self.connections_opened += 1
        self._writers.add(client_writer)
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.upstream_port)
        except OSError:
            client_writer.close()
            self._writers.discard(client_writer)
            return
        self._writers.add(up_writer)
        for writer in (client_writer, up_writer):
            _no_delay(writer)
        last = [loop.time()]
        half = self.rtt_s / 2
        pipes = [
            asyncio.ensure_future(self._pipe(client_reader, up_writer, half, accepted + self.rtt_s, last)),
            asyncio.ensure_future(self._pipe(up_reader, client_writer, half, 0.0, last)),
        ]
        if self.idle_close_s:
            pipes.append(asyncio.ensure_future(self._idle_watch(last, pipes[:2])))
        try:
            await asyncio.gather(*pipes, return_exceptions=True)
        finally:
            for writer in (client_writer, up_writer):
                with contextlib.suppress(Exception):
                    writer.close()
                self._writers.discard(writer)

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, delay: float,
                    hold_until: float, last: list[float]) -> None:
        """Forward bytes in order, each `delay` after it was read (and none before `hold_until`)."""
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[tuple[float, bytes] | None] = asyncio.Queue()

        async def read() -> None:
            try:
                while data := await reader.read(65536):
                    now = last[0] = loop.time()
                    queue.put_nowait((max(now, hold_until) + delay, data))
            except (ConnectionError, OSError):
                pass
            queue.put_nowait(None)

        reading = asyncio.ensure_future(read())
        try:
            while (item := await queue.get()) is not None:
                due, data = item
                if (wait := due - loop.time()) > 0:
                    await asyncio.sleep(wait)
                writer.write(data)
                await writer.drain()
            with contextlib.suppress(Exception):
                writer.write_eof()
        except (ConnectionError, OSError):
            pass
        finally:
            reading.cancel()

    async def _idle_watch(self, last: list[float], pipes: list[Any]) -> None:
        loop = asyncio.get_running_loop()
        assert self.idle_close_s is not None
        while not all(p.done() for p in pipes):
            idle = loop.time() - last[0]
            if idle >= self.idle_close_s:
                self.connections_dropped_idle += 1
                for pipe in pipes:
                    pipe.cancel()
                return
            await asyncio.sleep(min(0.5, self.idle_close_s - idle))


def _no_delay(writer: asyncio.StreamWriter) -> None:
    sock = writer.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
