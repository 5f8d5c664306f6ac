"""The console script: the fast ``--version``, and the process's quick exit once a command is done.

This is the only place humectl acts on the whole process, because here humectl *is* the process:
the library (everything under humectl/ but this module) never forks, exits, edits ``sys.modules`` or
tunes anything.

``--version`` is what scripts and CI logs run most often to ask which humectl they have, and
importing the CLI costs more than the interpreter's own start-up, so it is answered before that
(tests/unit/test_entry.py checks the line equals click's).

When a command is done, every resource it opened is already closed: its Session (the client, the
in-process emulator's database, checkpointed) is closed before the command returns. The interpreter's
teardown would then only free memory object by object (130 ms of a 1.2 s ``plan`` of 2,300
resources), so the console script ends the process without it, after doing everything a normal exit
does that anyone can observe, in the same order: the output streams are flushed and the ``atexit``
handlers run. It exits normally instead when a non-daemon thread still runs (a normal exit would wait
for it), when flushing fails (a closed pipe keeps Python's own report and exit code), for a
non-integer exit, under a tracer or profiler (``coverage run``, ``python -m cProfile`` write their
files after the program returns), and for ``python -m humectl``.
"""

from __future__ import annotations

import atexit
import os
import sys
import threading

VERSION_LINE = "humectl, version {version}\n"  # click.version_option's "%(prog)s, version %(version)s"


def main(*, quick_exit: bool = True) -> None:
    if sys.argv[1:] == ["--version"]:
        from humectl.core.version import __version__

        sys.stdout.write(VERSION_LINE.format(version=__version__))
        return
    # httpx imports its own command line (httpx._main) when click, rich and pygments are installed, as
    # they are beside many tools: 50-80 ms of every command that talks to an account, for a CLI nothing
    # in this process can run. Marked missing here, in the console script (which owns the process), httpx
    # defines its stand-in instead; a program embedding humectl's library is left as it is.
    sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]
    from humectl.cli.app import main as cli_main  # the CLI: only for a command that is not --version

    try:
        cli_main()
    except SystemExit as done:
        if quick_exit:
            exit_now(done.code)  # returns only when the normal exit must be taken
        raise


def observed() -> bool:
    """A tracer or profiler watches this process (coverage, cProfile, a debugger): it writes what it
    saw after the program returns, so the process must end the normal way."""
    if sys.gettrace() is not None or sys.getprofile() is not None:
        return True
    monitoring = getattr(sys, "monitoring", None)  # Python 3.12+: coverage's sys.monitoring core
    return monitoring is not None and any(monitoring.get_tool(i) is not None for i in range(6))


def exit_now(code: object) -> None:
    """End the process with ``code`` at once, as a normal exit would end it; return when it cannot."""
    status = 0 if code is None else code
    if type(status) is not int or observed():
        return
    if any(t.is_alive() and not t.daemon for t in threading.enumerate() if t is not threading.main_thread()):
        return
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        return
    atexit._run_exitfuncs()  # they run once: CPython clears them after running them
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        status = status or 1  # what a handler printed was lost: never report success over it
    os._exit(status)
