"""How bytes reach Gate: the HTTP loop and its deadlines, TLS against the system trust store, proxies,
eager HTTP/2, the sender threads. Knows nothing of Gate's endpoints."""
