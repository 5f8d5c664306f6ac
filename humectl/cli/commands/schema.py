"""``humectl schema``: the JSON Schemas of manifests and of humectl.yaml, for editors."""

from __future__ import annotations

import click

from humectl.cli.app import HumectlCommand
from humectl.cli.options import output_option
from humectl.cli.output import echo
from humectl.load.schema import manifest_schema_text, project_schema_text


@click.command(cls=HumectlCommand)
@click.option("--project", is_flag=True, help="Print the schema of the project file humectl.yaml instead.")
@output_option("json: the schema is a JSON document (the only format).", ("json",), default="json")
def schema(project: bool, output: str) -> None:
    """Print the manifest JSON Schema (or, with --project, the humectl.yaml one). Always JSON.

    \b
    Examples:
      humectl schema > manifest.schema.json
      humectl schema --project > project.schema.json
    """
    echo(project_schema_text() if project else manifest_schema_text(), nl=False)
