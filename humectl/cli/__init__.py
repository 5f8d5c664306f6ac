"""The command line: click commands (loaded lazily), the console entry point. Parses, calls one
operation of a Session, renders, picks the exit code."""
