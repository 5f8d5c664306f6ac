"""Talking to an EVI account: the HTTP client and its rate control, the consistent live listing, the
account lock, and the files humectl writes. Knows nothing of commands or rendering."""
