"""Cancelling: the one run every engine shares (run.py) and the ways of sending that plug into it
(spot batch, futures batch, stop orders one by one, by market, server-side cancel-all)."""
