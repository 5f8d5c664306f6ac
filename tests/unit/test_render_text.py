"""humectl.render.text: a Plan for terminals, Terraform-style symbols."""

from __future__ import annotations

from humectl.model.fields import FieldChange
from humectl.model.plan import CREATE, DELETE, VERSION, Change, Plan
from humectl.render.text import format_value, render_text


def _plan() -> Plan:
    return Plan(changes=[
        Change(address="prompt/p", kind="prompt", name="p", operations=(CREATE,), reasons=["new"]),
        Change(address="config/c", kind="config", name="c", operations=(VERSION,), live_version=1, predicted_version=2,
               reasons=["changed: voice"], fields=[FieldChange("voice.name", "ITO", "KORA")]),
        Change(address="tool/t", kind="tool", name="t", operations=(DELETE,), reasons=["not in the manifests"]),
    ], unchanged=["tool/u"])  # fmt: skip


def test_symbols_and_addresses() -> None:
    text = render_text(_plan())
    lines = text.splitlines()
    assert any(line.lstrip().startswith("+") and "prompt/p" in line for line in lines)
    assert any(line.lstrip().startswith("~") and "config/c" in line for line in lines)
    assert any(line.lstrip().startswith("-") and "tool/t" in line for line in lines)
    assert "ITO" in text and "KORA" in text
    assert "\x1b[" not in text  # no colour unless asked


def test_colour_when_asked_and_values_quoted() -> None:
    assert "\x1b[" in render_text(_plan(), colour=True)
    assert format_value("x") == '"x"' or "x" in format_value("x")
