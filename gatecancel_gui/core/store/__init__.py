"""What this machine keeps: paths, profiles, credentials in the OS keyring, the cancel journal, the log
file with its redaction, CSV export. Uses only the domain."""
