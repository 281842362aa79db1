"""Protection that runs on its own: the dead-man switch (and, next, the guard)."""
