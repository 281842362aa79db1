"""Connections that are open before the trader needs them. Over the network a new connection costs a TCP
round trip and a TLS round trip before its first request: a cancel on cold connections takes three round
trips instead of one. So when a profile is opened the client opens what a cancel will use (one HTTP/2
connection, or one HTTP/1.1 connection per request in flight), and while the window is open it touches
them before a server or load balancer would drop them as idle; each touch re-syncs the clock too."""

from __future__ import annotations

import logging
import threading
from concurrent.futures import ThreadPoolExecutor

from gatecancel_gui.core.domain.errors import GateError, Stopped
from gatecancel_gui.core.gate.client import GateClient
from gatecancel_gui.core.net.transport import MAX_IN_FLIGHT

log = logging.getLogger(__name__)
WARM_EVERY_S = 20.0  # Gate's idle timeout is unconfirmed; servers and load balancers commonly use 60 s or more


class ConnectionWarmer:
    """A background thread per session: warm now, then every `interval_s` until `stop()`."""

    def __init__(self, client: GateClient, *, connections: int = MAX_IN_FLIGHT,
                 interval_s: float = WARM_EVERY_S) -> None:
        self.client, self.connections, self.interval_s = client, connections, interval_s
        self.warmed = threading.Event()  # set after the first warm-up
        self.rounds = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> ConnectionWarmer:
        self._thread = threading.Thread(target=self._loop, name="connection-warmer", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop touching the connections (does not wait: the thread ends at its next wake-up)."""
        self._stop.set()

    def warm(self) -> str:
        """Open (or touch) the connections now; returns the HTTP version the server chose."""
        self.client.sync_clock(self._stop)  # one request: opens the first connection, syncs the clock
        self.client.senders.prestart(self.connections)  # the threads a cancel sends on
        version = self.client.http_version
        remote = self.client.base_url.startswith("https://")  # plain http is loopback only (the paper exchange)
        if version != "HTTP/2" and self.connections > 1:  # HTTP/1.1: one connection per request in flight
            if remote:
                with ThreadPoolExecutor(max_workers=self.connections, thread_name_prefix="warm") as pool:
                    for future in [pool.submit(self._touch) for _ in range(self.connections)]:
                        future.result()
            else:  # loopback: connecting costs nothing, but making the clients does, on the cancel's path
                self.client.add_lanes(self.connections)
        self.rounds += 1
        self.warmed.set()
        return version

    def _touch(self) -> None:
        try:
            self.client.request("GET", "/spot/time", signed=False, stop=self._stop)
        except (GateError, Stopped) as exc:
            log.debug("warming a connection failed: %s", exc)

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.warm()
            except (GateError, Stopped) as exc:
                log.info("warming the connections failed (%s); trying again later", exc)
            except Exception:
                if self._stop.is_set():  # the session closed its client under us: nothing to warm
                    return
                log.exception("the connection warmer failed")
            if self._stop.wait(self.interval_s):
                return
