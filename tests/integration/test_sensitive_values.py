"""Sensitive values: a webhook token declared ``sensitive:`` (or given as HUMECTL_SECRET_<NAME>) never
appears in any output of any command: every format, the saved plan and its Markdown, the step summary,
annotations, error paths, drift, history, export, rollback, destroy. Also the earlier and a
hand-made token at the same place (a diff of two secrets reads "(sensitive) changed"), salted
fingerprints in saved plans, and ::add-mask:: before anything else under GitHub Actions."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from humectl.cli.app import cli
from humectl.core import sensitive
from tests.conftest import EXAMPLES_DIR

KEY = "sk-test-sensitive-0123456789"
OLD = "tok-OLD-5f1e2d3c4b5a6978"  # the token before it was rotated
NEW = "tok-NEW-a9b8c7d6e5f4a3b2"  # the token now (the only one humectl is given after the rotation)
HAND = "tok-HAND-0a1b2c3d4e5f6071"  # a token someone typed into the dashboard
SECRETS = (OLD, NEW, HAND)


class Outputs:
    """Every output collected, by a label saying which command and which stream or file."""

    def __init__(self) -> None:
        self.items: list[tuple[str, str]] = []

    def add(self, label: str, text: str) -> None:
        self.items.append((label, text))

    def run(self, label: str, *args: str, env: dict[str, str] | None = None, code: int | None = 0) -> Result:
        result = CliRunner().invoke(cli, list(args), env={"HUME_API_KEY": KEY, "NO_COLOR": "1", **(env or {})})
        assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
        if code is not None:
            assert result.exit_code == code, (label, result.output)
        self.add(f"{label} [stdout]", result.stdout)
        self.add(f"{label} [stderr]", result.stderr)
        return result

    def add_files(self, label: str, root: Path) -> None:
        # The emulator's database is the account itself (the server holds the token): not an output.
        for path in sorted(p for p in root.rglob("*") if p.is_file() and ".sqlite3" not in p.name):
            self.add(f"{label}: {path.relative_to(root)}", path.read_text(encoding="utf-8", errors="replace"))

    def leaks(self) -> list[str]:
        found = []
        for label, text in self.items:
            # The runner consumes ::add-mask:: lines (they are how it learns what to hide): not output.
            shown = "\n".join(line for line in text.splitlines() if not line.startswith("::add-mask::"))
            found += [f"{label}: {secret}" for secret in SECRETS if secret in shown]
        return found


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    evi = tmp_path / "evi"
    shutil.copytree(EXAMPLES_DIR / "multi-env", evi)
    manifest = evi / "concierge.yaml"
    url = '- url: "${webhook_url}?token=${hook_token}"'
    manifest.write_text(manifest.read_text().replace('- url: "${webhook_url}"', url))
    project_file = evi / "humectl.yaml"
    listed = "sensitive: [hook_token]\n\nenvironments:"
    project_file.write_text(project_file.read_text().replace("environments:", listed))
    return tmp_path


def hand_edit(db: Path, token: str) -> None:
    """A new version of the config as someone makes it in the dashboard (no humectl marker)."""
    import asyncio

    from humectl.core.settings import Settings
    from tests.support import open_client

    async def edit() -> None:
        async with open_client(Settings(emulator_db=str(db), api_key=KEY)) as client:
            page = await client.get("/v0/evi/configs", {"name": "staging-concierge"})
            (head,) = page["configs_page"]
            body = {k: head[k] for k in ("evi_version", "voice", "language_model", "builtin_tools", "event_messages")}
            body["prompt"] = {"id": head["prompt"]["id"], "version": head["prompt"]["version"]}
            body["tools"] = [{"id": t["id"], "version": t["version"]} for t in head["tools"]]
            body["webhooks"] = [{**head["webhooks"][0], "url": f"https://hooks.example.com/evi/staging?token={token}"}]
            body["version_description"] = "edited in the dashboard"
            await client._request("POST", f"/v0/evi/configs/{head['id']}", body=body)

    asyncio.run(edit())


def test_no_output_of_any_command_holds_a_sensitive_value(project: Path, tmp_path: Path) -> None:
    evi = str(project / "evi")
    db_path = project / "account.sqlite3"
    db = f"--emulator={db_path}"
    out = Outputs()
    staging = ("--env", "staging")
    github = {"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md")}

    # 1. The first token, from --var; the variable is sensitive because humectl.yaml lists it.
    out.run(
        "apply --var (sensitive: in humectl.yaml)",
        "apply",
        evi,
        db,
        *staging,
        "--var",
        f"hook_token={OLD}",
        "--auto-approve",
    )
    # 2. Rotated: the new token arrives as HUMECTL_SECRET_hook_token (sensitive by its source alone).
    secret = {"HUMECTL_SECRET_hook_token": NEW}
    out.run("validate", "validate", evi, *staging, env=secret)
    out.run("validate -o json", "validate", evi, *staging, "-o", "json", env=secret)
    text = out.run("plan", "plan", evi, db, *staging, env=secret)
    assert "~ webhooks: (sensitive) changed" in text.stdout  # OLD -> NEW: two secrets at one place
    out.run("plan -o json", "plan", evi, db, *staging, "-o", "json", env=secret)
    out.run("plan -o markdown", "plan", evi, db, *staging, "-o", "markdown", env=secret)
    # SARIF (code scanning): the high-risk webhook change, and as a policy violation (--fail-on high).
    sarif = out.run("plan -o sarif", "plan", evi, db, *staging, "-o", "sarif", env=secret)
    assert '"risk.config.webhooks"' in sarif.stdout
    out.run(
        "plan -o sarif --fail-on high (GitHub Actions)",
        "plan",
        evi,
        db,
        *staging,
        "-o",
        "sarif",
        "--fail-on",
        "high",
        env={**secret, **github},
        code=1,
    )
    out.run("plan --fail-on high", "plan", evi, db, *staging, "--fail-on", "high", env=secret, code=1)
    out.run("validate -o sarif", "validate", evi, *staging, "-o", "sarif", env=secret)
    saved = project / "plans"
    saved.mkdir()
    out.run(
        "plan --out (GitHub Actions)",
        "plan",
        evi,
        db,
        *staging,
        "--out",
        str(saved / "plan.json"),
        "--detailed-exitcode",
        env={**secret, **github},
        code=2,
    )
    first = out.items[-1][1]  # stderr of the GitHub run: ::add-mask:: comes before anything else
    masks = [line for line in first.splitlines() if line.startswith("::add-mask::")]
    assert first.splitlines()[: len(masks)] == masks  # every value registered before anything else is printed
    assert f"::add-mask::{KEY}" in masks and f"::add-mask::{NEW}" in masks
    plan_file = json.loads((saved / "plan.json").read_text())
    fingerprints = plan_file["sensitive"]["fingerprints"]
    assert list(fingerprints) == ["hook_token"] and fingerprints["hook_token"].startswith("pbkdf2-sha256:")
    assert plan_file["sensitive"]["places"]["config/staging-concierge"] == {"/webhooks/0/url": [[44, "hook_token"]]}
    # apply plan.json reads the value again: a different one is refused, nothing applied.
    refused = out.run(
        "apply plan.json, another value",
        "apply",
        str(saved / "plan.json"),
        db,
        "-o",
        "json",
        "--auto-approve",
        env={"HUMECTL_SECRET_hook_token": HAND},
        code=1,
    )
    assert "not the one this plan was made with" in json.loads(refused.stdout)["error"]["message"]
    missing = out.run("apply plan.json, no value", "apply", str(saved / "plan.json"), db, "--auto-approve", code=1)
    assert "needs the sensitive value of hook_token" in missing.stderr
    applied = out.run(
        "apply plan.json -o json (GitHub Actions)",
        "apply",
        str(saved / "plan.json"),
        db,
        "-o",
        "json",
        "--auto-approve",
        env={**secret, **github},
    )
    assert json.loads(applied.stdout)["applied"] is True

    # The token really went to the account (the content apply sends holds the value).
    with sqlite3.connect(db_path) as conn:
        (content,) = conn.execute(
            "SELECT v.content FROM versions v JOIN resources r ON v.resource_id = r.id WHERE r.name = "
            "'staging-concierge' ORDER BY v.version DESC LIMIT 1"
        ).fetchone()
    assert f"token={NEW}" in content

    # 3. Someone types a third token in the dashboard: drift shows it changed, never what it is.
    hand_edit(db_path, HAND)
    drift = out.run("drift", "drift", evi, db, *staging, "--detailed-exitcode", env=secret, code=2)
    assert "webhooks: live ahead: (sensitive) changed" in drift.stdout
    out.run("drift -o json", "drift", evi, db, *staging, "-o", "json", env=secret, code=0)
    out.run("history", "history", "config/staging-concierge", db, env=secret)
    out.run("history -o json", "history", "config/staging-concierge", db, "-o", "json", env=secret)
    out.run(
        "rollback -o json",
        "rollback",
        "config/staging-concierge",
        "--to-version",
        "1",
        db,
        "-o",
        "json",
        "--auto-approve",
        "--manifests",
        evi,
        *staging,
        env=secret,
    )
    writable = project / "rewritten"
    shutil.copytree(project / "evi", writable)
    out.run(
        "rollback --write",
        "rollback",
        "config/staging-concierge",
        "--to-version",
        "1",
        db,
        "--auto-approve",
        "--write",
        str(writable),
        *staging,
        env=secret,
    )
    # 4. export: the live token is written as ${hook_token}; the files load back unchanged.
    exported = project / "exported"
    export = out.run("export", "export", "--dir", str(exported), db, env=secret)
    # staging's resources: content round-trips; the account scope's plan would refuse to take them over
    assert "Checked: `humectl plan` on these files changes nothing else." in export.stdout
    assert "${hook_token}" in (exported / "configs.yaml").read_text()
    out.run("export -o json", "export", "--dir", str(project / "exported2"), db, "-o", "json", env=secret)
    # 5. Error paths: a value that breaks the schema (quoted in the message), a name holding it.
    bad = project / "bad"
    shutil.copytree(project / "evi", bad)
    (bad / "concierge.yaml").write_text(
        (bad / "concierge.yaml").read_text().replace('evi_version: "3"', 'evi_version: "${hook_token}"')
    )
    out.run("validate (schema error)", "validate", str(bad), *staging, env={**secret, **github}, code=1)
    out.run(
        "plan -o json (schema error)", "plan", str(bad), db, *staging, "-o", "json", env={**secret, **github}, code=1
    )
    # The same with the value from --var (sensitive because humectl.yaml lists it): plan loads the
    # manifests in a thread, whose registrations must reach the command's masking.
    out.run(
        "plan -o json (schema error, --var)",
        "plan",
        str(bad),
        db,
        *staging,
        "-o",
        "json",
        "--var",
        f"hook_token={NEW}",
        code=1,
    )
    out.run(
        "plan (schema error, --var, GitHub Actions)",
        "plan",
        str(bad),
        db,
        *staging,
        "--var",
        f"hook_token={NEW}",
        env=github,
        code=1,
    )
    named = project / "named"
    shutil.copytree(project / "evi", named)
    (named / "concierge.yaml").write_text(
        (named / "concierge.yaml").read_text().replace("  - name: check_stock", "  - name: check_${hook_token}")
    )
    refused_name = out.run("validate (a name holds it)", "validate", str(named), *staging, env=secret, code=1)
    assert "name holds the sensitive value of hook_token" in refused_name.stdout
    # 6. destroy, every format.
    out.run(
        "destroy -o markdown",
        "destroy",
        evi,
        db,
        *staging,
        "--auto-approve",
        "-o",
        "markdown",
        env={**secret, **github},
    )
    out.run("apply again", "apply", evi, db, *staging, "--auto-approve", "-o", "markdown", env=secret)
    out.run("destroy -o json", "destroy", evi, db, *staging, "--auto-approve", "-o", "json", env=secret)

    out.add_files("file", project)
    out.add("step summary", (tmp_path / "summary.md").read_text(encoding="utf-8"))
    if os.environ.get("HUMECTL_SENSITIVE_REPORT"):
        Path(os.environ["HUMECTL_SENSITIVE_REPORT"]).write_text(
            "\n".join(label for label, _ in out.items) + "\n", encoding="utf-8"
        )
    assert len(out.items) > 70
    assert out.leaks() == []


def test_masking_covers_every_form_a_renderer_writes() -> None:
    registry = sensitive.Sensitive()
    value = 'a|b_"c\\d<e>&f%g\nsecond-line'
    registry.add("tricky", value)
    from humectl.core.escape import json_text, md_code, md_html, md_text, terminal, workflow_data

    for form in (
        value,
        json.dumps(value),
        json_text(value),
        terminal(value),
        md_text(value),
        md_html(value),
        md_code(value, table=True),
        workflow_data(value),
        repr(value),
    ):
        masked = registry.mask(f"before {form} after")
        assert "second-line" not in masked and 'a|b_"c' not in masked, (form, masked)


def test_a_short_sensitive_value_is_refused(project: Path) -> None:
    result = CliRunner().invoke(
        cli, ["validate", str(project / "evi"), "--env", "staging"], env={"HUMECTL_SECRET_hook_token": "abc"}
    )
    assert result.exit_code == 1 and "needs at least 4" in result.stderr and "abc" not in result.output


def test_saved_content_round_trips(tmp_path: Path) -> None:
    content: dict[str, Any] = {"webhooks": [{"url": f"https://h/x?a={NEW}&b={NEW}"}], "text": f"say {OLD}"}
    values = {"t": NEW, "o": OLD}
    masked, places = sensitive.mask_content(content, values)
    assert NEW not in json.dumps(masked) and OLD not in json.dumps(masked)
    assert sensitive.unmask_content(masked, places, values) == content
    salt = "00" * 16
    assert sensitive.same(NEW, salt, sensitive.fingerprint(NEW, salt))
    assert not sensitive.same(HAND, salt, sensitive.fingerprint(NEW, salt))
