"""The EVI-compatible server: ASGI app, SQLite store, fault/latency injection, ``serve``."""
