"""Entry point for ``python -m humectl``."""

from humectl.entry import main

if __name__ == "__main__":
    main()
