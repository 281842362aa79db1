"""What the app reasons about, as plain data: orders, markets, outcomes and the rule that merges them,
scopes, ids, environments, errors, and how they are put in words. No I/O; imports nothing else of core."""
