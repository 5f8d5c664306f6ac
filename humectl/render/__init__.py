"""Renderers: a Plan (plain data) in, text / Markdown / JSON / GitHub annotations out. Never computes."""
