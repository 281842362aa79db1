"""A Gate-compatible paper exchange on loopback, for tests, benchmarks and the demo mode.

It shares no code with the client's signing, so each implementation checks the other.
"""

from gatecancel_gui.paper.book import Book, seed_book
from gatecancel_gui.paper.faults import Fault, FaultPlan
from gatecancel_gui.paper.network import NetworkShape
from gatecancel_gui.paper.server import ApiKey, PaperExchange

__all__ = ["ApiKey", "Book", "Fault", "FaultPlan", "NetworkShape", "PaperExchange", "seed_book"]
