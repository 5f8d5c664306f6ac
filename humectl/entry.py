"""The console script and ``python -m humectl``: ``humectl --version`` is answered before the CLI loads.

Importing the CLI (click, every command's options) costs more than the interpreter's own start-up, and
``--version`` is what scripts and CI logs run most often to ask which humectl they have. Anything else
goes to :func:`humectl.cli.main`, which prints the same version line for ``--version`` in any other
position (tests/unit/test_entry.py checks the two agree).
"""

from __future__ import annotations

import sys

VERSION_LINE = "humectl, version {version}\n"  # click.version_option's "%(prog)s, version %(version)s"


def main() -> None:
    if sys.argv[1:] == ["--version"]:
        from humectl import __version__

        sys.stdout.write(VERSION_LINE.format(version=__version__))
        return
    from humectl.cli import main as cli_main

    cli_main()
