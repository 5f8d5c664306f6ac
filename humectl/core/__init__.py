"""The base layer: errors, settings, the kind registry as data, text rules (escaping, code points,
humectl's version-description marker), the masking registry. Imports nothing else of humectl."""
