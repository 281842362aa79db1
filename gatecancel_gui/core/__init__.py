"""The Qt-free core: signing, the Gate client, loading open orders, batch cancel, credentials, journal."""
