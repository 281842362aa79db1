"""The paper exchange's market and account endpoints: server time, spot pairs and tickers, futures
contracts and tickers (public: Gate asks no signature for them), and the accounts' balances (the futures
one names the account's user id, which a futures.orders subscription must give)."""

from __future__ import annotations

from collections.abc import Callable

from gatecancel_gui.paper.account import USER_ID
from gatecancel_gui.paper.book import REFERENCE_PRICES, Book
from gatecancel_gui.paper.futures import CONTRACTS, MULTIPLIERS, settle_of
from gatecancel_gui.paper.routing import Call, Reply, Router


class PublicEndpoints:
    def __init__(self, book: Book, server_now: Callable[[], float]) -> None:
        self.book, self.server_now = book, server_now

    def add_routes(self, router: Router) -> None:
        router.add("GET", "/spot/time", self.time, public=True)
        router.add("GET", "/spot/currency_pairs", self.currency_pairs, public=True)
        router.add("GET", "/spot/tickers", self.tickers, public=True)
        router.add("GET", "/spot/accounts", self.accounts)
        router.add("GET", "/futures/{settle}/accounts", self.futures_accounts)
        router.add("GET", "/futures/{settle}/contracts", self.futures_contracts, public=True)
        router.add("GET", "/futures/{settle}/tickers", self.futures_tickers, public=True)

    def time(self, call: Call) -> Reply:
        return 200, {"server_time": int(self.server_now() * 1000)}

    def currency_pairs(self, call: Call) -> Reply:
        """Every pair the book can hold (seed_book names pairs beyond REFERENCE_PRICES) plus the reference ones."""
        with self.book.lock:
            pairs = sorted({o.currency_pair for o in self.book.orders.values()} | set(REFERENCE_PRICES))
        return 200, [{"id": p, "base": p.partition("_")[0], "quote": p.partition("_")[2], "trade_status": "tradable"}
                     for p in pairs]

    def tickers(self, call: Call) -> Reply:
        """Every pair's last price, the reference price the book was seeded around (so a few orders sit
        close to the market, as in a real book)."""
        pairs = sorted({o.currency_pair for o in self.book.orders.values()} | set(REFERENCE_PRICES))
        wanted = call.query.get("currency_pair")
        return 200, [{"currency_pair": p, "last": REFERENCE_PRICES.get(p, "1.5"), "change_percentage": "0"}
                     for p in pairs if not wanted or p == wanted]

    def accounts(self, call: Call) -> Reply:
        return 200, [{"currency": "USDT", "available": "100000", "locked": "0"}]

    def futures_accounts(self, call: Call) -> Reply:
        settle = settle_of(call.params["settle"])
        total = "100000" if settle == "usdt" else "2"
        return 200, {"user": USER_ID, "currency": settle.upper(), "total": total, "available": total,
                     "unrealised_pnl": "0", "position_margin": "0", "order_margin": "0", "point": "0",
                     "bonus": "0", "in_dual_mode": False}

    def futures_contracts(self, call: Call) -> Reply:
        settle = settle_of(call.params["settle"])
        return 200, [{"name": name, "type": "direct" if settle == "usdt" else "inverse",
                      "quanto_multiplier": MULTIPLIERS[name], "mark_price": price, "last_price": price,
                      "in_delisting": False} for name, price in CONTRACTS[settle].items()]

    def futures_tickers(self, call: Call) -> Reply:
        settle = settle_of(call.params["settle"])
        return 200, [{"contract": name, "last": price, "mark_price": price}
                     for name, price in CONTRACTS[settle].items()]
