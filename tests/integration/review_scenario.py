"""The review scenario of #17: the support-desk example applied, then a pull request that changes
the voice (ITO → KORA), rewrites the support agent's prompt and removes the create_return tool."""

from __future__ import annotations

import shutil
from pathlib import Path

from click.testing import CliRunner, Result

from humectl.cli.app import cli
from tests.conftest import EXAMPLES_DIR

REWRITTEN_PROMPT = """\
# Who you are
You are Sam, the voice of an online shop's order line. Callers ask where their parcel is: answer
that, in one short sentence, and read order ids back digit by digit.

# Tools
- Use lookup_order as soon as the caller gives an order id.
- Returns are handled on the website now: tell callers to open the order there and choose Return.
- Use web_search only for public information such as carrier holidays, never for customer data.
- When the caller says goodbye and has nothing else to ask, end the call with hang_up.
"""

BASE_ENV = {"GITHUB_ACTIONS": "", "HUMECTL_ENV": "", "HUME_API_KEY": "", "NO_COLOR": "1"}


def run(*args: str, **env: str) -> Result:
    return CliRunner().invoke(cli, list(args), env={**BASE_ENV, **env})


def review_account(tmp_path: Path) -> tuple[Path, str]:
    """``(manifest directory, --emulator=DB)``: support-desk applied, then the pull request's edits."""
    root = tmp_path / "support-desk"
    shutil.copytree(EXAMPLES_DIR / "support-desk", root)
    db = f"--emulator={tmp_path / 'account.sqlite3'}"
    applied = run("apply", str(root), db, "--auto-approve")
    assert applied.exit_code == 0, applied.output
    configs = root / "configs.yaml"
    text = configs.read_text(encoding="utf-8")
    text = text.replace("voice: {provider: HUME_AI, name: ITO}", "voice: {provider: HUME_AI, name: KORA}", 1)
    text = text.replace("tools: [lookup_order, create_return]", "tools: [lookup_order]", 1)
    configs.write_text(text, encoding="utf-8")
    (root / "prompts" / "support-agent.md").write_text(REWRITTEN_PROMPT, encoding="utf-8")
    return root, db
