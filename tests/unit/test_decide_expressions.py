"""humectl.decide.expressions: a rewritten entry keeps its ${…} where they give the value written."""

from __future__ import annotations

from humectl.decide.expressions import keep_expressions, mentions_variables, retemplate

VALUES = {"temp": "0.5", "company": "Northwind", "voice": "ITO"}


def test_an_expression_that_gives_the_value_is_kept_and_one_that_does_not_is_named() -> None:
    written = {"name": "desk", "language_model": {"model_resource": "m", "temperature": "${temp}"}, "nudges": 10}
    new = {"name": "desk", "language_model": {"model_resource": "m2", "temperature": 0.5}, "nudges": 20}
    resolved = {"language_model": {"model_resource": "m", "temperature": 0.5}, "nudges": 10}
    wanted = {"language_model": {"model_resource": "m2", "temperature": 0.5}, "nudges": 20}
    out = keep_expressions(written, new, resolved, wanted, values=VALUES, as_written=("name",))
    assert out.entry == {
        "name": "desk",
        "language_model": {"model_resource": "m2", "temperature": "${temp}"},
        "nudges": 20,
    }
    assert out.kept == ["language_model.temperature"] and out.unexpressible == []

    other = {**wanted, "language_model": {"model_resource": "m2", "temperature": 0.9}}
    out = keep_expressions(
        written, {**new, "language_model": {"model_resource": "m2", "temperature": 0.9}}, resolved, other
    )
    (problem,) = out.unexpressible
    assert problem.describe() == "language_model.temperature is written with ${temp}, which gives 0.5 here, not 0.9"
    assert out.entry["language_model"]["temperature"] == 0.9  # the literal, for a diff to make by hand


def test_a_text_template_is_kept_over_new_words_when_it_is_unambiguous() -> None:
    written = "You work for ${company}. Be brief."
    assert retemplate(written, "You work for Northwind. Be kind.", VALUES) == "You work for ${company}. Be kind."
    # the value also stands as plain words, or is gone: the template cannot say it
    assert retemplate(written, "You work for Northwind. Northwind is great.", VALUES) is None
    assert retemplate(written, "You work for Acme.", VALUES) is None
    # a literal ${ in the new text stays literal
    assert retemplate(written, "Northwind: say ${x}.", VALUES) == "${company}: say $${x}."


def test_literal_values_are_escaped_and_escapes_are_not_expressions() -> None:
    assert not mentions_variables("costs $${price}") and mentions_variables({"a": ["x ${b}"]})
    out = keep_expressions({"text": "plain"}, {"text": "say ${x}"}, {"text": "plain"}, {"text": "say ${x}"})
    assert out.entry == {"text": "say $${x}"}
