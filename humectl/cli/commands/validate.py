"""``humectl validate``: the manifests checked offline; nothing is sent."""

from __future__ import annotations

import dataclasses

import click

from humectl.cli.app import HumectlCommand
from humectl.cli.options import load_cache, manifest_options, output_option
from humectl.cli.output import echo, echo_commands, in_github
from humectl.core import stages
from humectl.load.manifests import build_load_options, validate_manifests
from humectl.render import problems as render
from humectl.render import sarif


@click.command(cls=HumectlCommand)
@click.argument("directory", default=".", type=click.Path())
@output_option(
    "Output format: text lines, a JSON document (problems + summary), or a SARIF 2.1.0 log for GitHub code "
    "scanning (docs/review.md).",
    ("text", "json", "sarif"),
)
@click.option(
    "--github/--no-github",
    "github",
    default=None,
    help="Also print GitHub annotations (default: when GITHUB_ACTIONS=true).",
)
@click.option(
    "--allow-model",
    "allowed_models",
    multiple=True,
    metavar="MODEL",
    help="Take MODEL as a known model_resource for any provider (repeatable): a model Hume added after humectl's list.",
)
@click.option(
    "--allow-voice",
    "allowed_voices",
    multiple=True,
    metavar="NAME",
    help="Take NAME as a Voice Library (HUME_AI) voice (repeatable).",
)
@manifest_options
def validate(
    directory: str,
    output: str,
    github: bool | None,
    allowed_models: tuple[str, ...],
    allowed_voices: tuple[str, ...],
    variables: tuple[str, ...],
    var_files: tuple[str, ...],
    environment: str | None,
    name_prefix: str | None,
    no_cache: bool,
) -> int:
    """Check the manifests offline; nothing is sent. Exit 0 when valid (warnings allowed), 1 otherwise.

    \b
    Examples:
      humectl validate evi/
      humectl validate evi/ --env prod
      humectl validate evi/ -o json | jq '.problems[].message'
      humectl validate evi/ --allow-model claude-opus-5   # a model newer than humectl's list
    """
    options = build_load_options(
        var_flags=variables, var_files=var_files, environment=environment, name_prefix=name_prefix, root=directory
    )
    options = dataclasses.replace(options, allowed_models=allowed_models, allowed_voices=allowed_voices)
    result = validate_manifests(directory, options, cache=load_cache(no_cache))
    with stages.span("render"):
        if output == "sarif":
            echo(sarif.render(sarif.problem_findings(result.problems, directory), "validate"), nl=False)
        elif output == "json":
            echo(render.render_json(result.problems, result.resources, result.files, result.placeholders), nl=False)
        else:
            echo(render.render_text(result.problems, result.resources, result.files), nl=False)
    if in_github(github) and result.problems:
        echo_commands(render.render_github(result.problems), nl=False, err=output != "text")
    return 0 if result.valid else 1
