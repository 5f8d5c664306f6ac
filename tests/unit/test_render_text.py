"""humectl.render.text: a Plan for terminals, Terraform-style symbols."""

from __future__ import annotations

from humectl.model.fields import FieldChange
from humectl.model.plan import CREATE, DELETE, VERSION, Change, Plan
from humectl.render.text import format_value, render_text


def _plan() -> Plan:
    return Plan(
        changes=[
            Change(address="prompt/p", kind="prompt", name="p", operations=(CREATE,), reasons=["new"]),
            Change(
                address="config/c",
                kind="config",
                name="c",
                operations=(VERSION,),
                live_version=1,
                predicted_version=2,
                reasons=["changed: voice"],
                fields=[FieldChange("voice.name", "ITO", "KORA")],
            ),
            Change(address="tool/t", kind="tool", name="t", operations=(DELETE,), reasons=["not in the manifests"]),
        ],
        unchanged=["tool/u"],
    )


def test_symbols_and_addresses() -> None:
    text = render_text(_plan())
    lines = text.splitlines()
    assert any(line.lstrip().startswith("+") and "prompt/p" in line for line in lines)
    assert any(line.lstrip().startswith("~") and "config/c" in line for line in lines)
    assert any(line.lstrip().startswith("-") and "tool/t" in line for line in lines)
    assert "ITO" in text and "KORA" in text
    assert "\x1b[" not in text  # no colour unless asked


def test_colour_when_asked() -> None:
    assert "\x1b[" in render_text(_plan(), colour=True)


def test_values_on_one_safe_line() -> None:
    # strings as they are, with edge whitespace, newlines and escapes made visible; the rest as JSON
    assert format_value("x") == "x"
    assert format_value(" x ") == "·x·"
    assert format_value("a\nb") == "a\\nb"
    assert format_value("\x1b[31mred") == "\\x1b[31mred"
    assert [format_value(v) for v in (None, True, 1.5, {"b": 1, "a": [1]})] == [
        "null",
        "true",
        "1.5",
        '{"a": [1], "b": 1}',
    ]
    cut = format_value("x" * 500)
    assert len(cut) == 120 and cut == "x" * 119 + "…"
