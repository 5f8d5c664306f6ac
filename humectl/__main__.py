"""Entry point for ``python -m humectl``."""

from humectl.cli import main

if __name__ == "__main__":
    main()
