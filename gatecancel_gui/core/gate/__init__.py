"""Gate's REST API: the signed client (clock, retries, rate budget), and the reads: spot, futures and stop
orders, tickers, pairs and contracts; the connection warmer that keeps the client's connections open."""
