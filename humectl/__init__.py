"""humectl: configuration as code for Hume AI's Empathic Voice Interface (EVI)."""

__version__ = "0.1.0"
