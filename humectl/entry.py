"""The console script and ``python -m humectl``: the fast ``--version``, and the process's quick exit.

Importing the CLI (click, every command's options) costs more than the interpreter's own start-up, and
``--version`` is what scripts and CI logs run most often to ask which humectl they have. Anything else
goes to :func:`humectl.cli.app.main`, which prints the same version line for ``--version`` in any other
position (tests/unit/test_entry.py checks the two agree).

When the command is done, the process ends without the interpreter's teardown: freeing a plan of
23,000 resources object by object took longer than rendering it (130 ms of a 1.2 s ``plan`` of 2,300).
Everything a normal exit does that anyone can observe still happens, in the same order: the output
streams are flushed and the ``atexit`` handlers run (temporary directories, logging, the stage
report). It is not taken while a non-daemon thread still runs (a normal exit would wait for it), when
flushing fails (a closed pipe keeps Python's own report and exit code) or for a non-integer exit.

httpx's own command line is kept from loading with it (see :func:`main`): in a process that is
humectl's console script, nothing can ever call it.
"""

from __future__ import annotations

import sys

VERSION_LINE = "humectl, version {version}\n"  # click.version_option's "%(prog)s, version %(version)s"


def main() -> None:
    if sys.argv[1:] == ["--version"]:
        from humectl.core.version import __version__

        sys.stdout.write(VERSION_LINE.format(version=__version__))
        return
    # httpx's own command line (httpx._main) is imported with httpx when click, rich and pygments are
    # installed, as they are beside humectl's test tools: 70 ms of every command that talks to an
    # account, for a CLI humectl never runs. Marked missing, httpx defines its stand-in instead.
    sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]
    from humectl.cli.app import main as cli_main

    try:
        cli_main()
    except SystemExit as done:
        exit_now(done.code)  # returns only when the normal exit must be taken
        raise


def exit_now(code: object) -> None:
    """End the process with ``code`` at once, as a normal exit would end it; return when it cannot."""
    import atexit
    import os
    import threading

    status = 0 if code is None else code
    if type(status) is not int:
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
