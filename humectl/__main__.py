"""Entry point for ``python -m humectl`` (the normal interpreter exit: a tool that runs it as a module,
such as ``python -m cProfile -m humectl``, writes its files after it returns)."""

from humectl.entry import main

if __name__ == "__main__":
    main(quick_exit=False)
