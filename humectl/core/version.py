"""humectl's version (the wheel's, from the release tag; hatch reads it here)."""

__version__ = "0.1.0"
