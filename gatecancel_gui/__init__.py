"""gatecancel: see every open Gate spot order and cancel the ones you pick, with a true result per order."""

__version__ = "0.1.0"
