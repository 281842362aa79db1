"""A bare HTTP/2 server over TLS on loopback (h2 + asyncio) that withholds its SETTINGS and every answer
until `streams` requests have arrived (or `give_up_s` passed): a client that waits for a server's SETTINGS
before its second stream never gets there, one that does not sends them all at once."""

from __future__ import annotations

import asyncio
import json
import ssl
import threading

import h2.config
import h2.connection
import h2.events
import h2.settings
import trustme


class WithholdingH2Server:
    def __init__(self, streams: int, *, max_streams: int | None = None, give_up_s: float = 3.0) -> None:
        self.streams, self.max_streams, self.give_up_s = streams, max_streams, give_up_s
        self.seen_before_settings = 0  # requests that arrived before the server sent its SETTINGS
        self.answered = 0
        ca = trustme.CA()
        self._cert = ca.issue_cert("127.0.0.1")
        self.ca_pem = ca.cert_pem.bytes()
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._server: asyncio.Server | None = None
        self.port = 0

    def __enter__(self) -> WithholdingH2Server:
        self._thread.start()
        self._ready.wait(10)
        return self

    def __exit__(self, *exc: object) -> None:
        asyncio.run_coroutine_threadsafe(self._shutdown(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    async def _shutdown(self) -> None:
        assert self._server is not None
        self._server.close()
        tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await self._server.wait_closed()

    def _run(self) -> None:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self._cert.configure_cert(context)
        context.set_alpn_protocols(["h2"])
        asyncio.set_event_loop(self._loop)
        self._server = self._loop.run_until_complete(
            asyncio.start_server(self._serve, "127.0.0.1", 0, ssl=context))
        self.port = self._server.sockets[0].getsockname()[1]
        self._ready.set()
        try:
            self._loop.run_forever()
        finally:
            self._server.close()
            self._loop.close()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        conn = h2.connection.H2Connection(h2.config.H2Configuration(client_side=False))
        conn.initiate_connection()  # the preface is made now, so frames stay in order, but not written yet
        if self.max_streams is not None:  # a second SETTINGS frame that lowers the limit, as a server may
            conn.update_settings({h2.settings.SettingCodes.MAX_CONCURRENT_STREAMS: self.max_streams})
        waiting: list[int] = []
        settled = False
        deadline = self._loop.time() + self.give_up_s
        try:
            while True:
                timeout = None if settled else max(0.0, deadline - self._loop.time())
                try:
                    data = await asyncio.wait_for(reader.read(65536), timeout)
                except TimeoutError:
                    data = None  # gave up waiting: settle with what came
                if data == b"":
                    return
                for event in conn.receive_data(data) if data else []:
                    if isinstance(event, h2.events.RequestReceived):
                        waiting.append(event.stream_id)
                        if not settled:
                            self.seen_before_settings += 1
                if not settled and (len(waiting) >= self.streams or data is None):
                    settled = True
                if settled:
                    for stream_id in waiting:
                        body = json.dumps({"server_time": 1_700_000_000_000}).encode()
                        conn.send_headers(stream_id, [(":status", "200"), ("content-type", "application/json"),
                                                      ("content-length", str(len(body)))])
                        conn.send_data(stream_id, body, end_stream=True)
                        self.answered += 1
                    waiting.clear()
                if settled:
                    writer.write(conn.data_to_send())
                    await writer.drain()
        finally:
            writer.close()
            try:
                await writer.wait_closed()
            except (OSError, asyncio.CancelledError, ssl.SSLError):
                pass
