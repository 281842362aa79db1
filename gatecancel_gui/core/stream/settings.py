"""How the live stream behaves: its address override, pings, the polling fallback and the backoff. (Its own
module so the connection and AccountStream share it; front ends import it from account.)"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class StreamSettings:
    ws_url: str = ""              # "" : derived from the client's base URL (see addresses); else the override
    ping_interval_s: float = 15.0  # Gate's application ping (spot.ping / futures.ping)
    poll_interval_s: float = 2.0   # the fallback's listing interval when no socket can be had
    backoff_s: tuple[float, ...] = (0.5, 1.0, 2.0, 4.0, 8.0, 15.0)  # between reconnect attempts, capped at the last
    open_timeout_s: float = 10.0
    socket_retry_s: float = 60.0   # while polling, the WebSocket is tried again this often
