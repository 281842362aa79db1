"""A Gate-compatible paper exchange on loopback, for tests, benchmarks and the demo mode.

It shares no code with the client's signing, so each implementation checks the other.

server (PaperExchange: parts, life, knobs) -> dispatch (one request's way) -> routing (Router, Call,
middleware) -> auth, ratelimit, faults (the middleware, in that order) -> endpoints: public, spot, risk,
futures, over book; stats counts. Transports: plain_server, or network (http_server, delay_proxy, tls);
they see the exchange through transport's Protocols, and listen on sockets made by listening. WebSocket
(Gate's order channels, same port): websocket (the hub, fed by the books' listeners) -> ws_channels
(messages), ws_items (order shapes), auth; on the wire ws_wire (wsproto), under the plain server ws_plain,
under the network one ws_async. Imports run one way (tests/paper/test_paper_imports.py).
"""

from gatecancel_gui.paper.auth import ApiKey
from gatecancel_gui.paper.book import Book, seed_book
from gatecancel_gui.paper.faults import Fault, FaultPlan
from gatecancel_gui.paper.network import NetworkShape
from gatecancel_gui.paper.server import PaperExchange

__all__ = ["ApiKey", "Book", "Fault", "FaultPlan", "NetworkShape", "PaperExchange", "seed_book"]
