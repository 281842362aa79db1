"""The live stream: Gate's WebSocket order channels, held as the account's open orders (see events)."""
