"""A throwaway certificate authority made when the paper exchange starts with TLS: the server's
certificate for 127.0.0.1 and localhost, and the CA file a client must trust (nothing else trusts it)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import trustme


class ThrowawayCA:
    def __init__(self) -> None:
        ca = trustme.CA(organization_name="gatecancel paper exchange")
        cert = ca.issue_cert("127.0.0.1", "localhost")
        self._dir = tempfile.TemporaryDirectory(prefix="gatecancel-paper-tls-")
        folder = Path(self._dir.name)
        self.ca_file = folder / "paper-ca.pem"
        self.cert_file = folder / "server-chain.pem"
        self.key_file = folder / "server-key.pem"
        ca.cert_pem.write_to_path(str(self.ca_file))
        with self.cert_file.open("wb") as fh:
            for blob in cert.cert_chain_pems:
                fh.write(blob.bytes())
        cert.private_key_pem.write_to_path(str(self.key_file))

    def cleanup(self) -> None:
        self._dir.cleanup()
