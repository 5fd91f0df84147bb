"""Lab fixtures (the loopback lab: local TLS sites + mitmproxy). Owned by the lab work."""
