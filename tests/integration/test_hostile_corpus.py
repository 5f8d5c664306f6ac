"""One hostile corpus through every command and every format: nothing is injected anywhere.

The corpus (:data:`CORPUS`, generated from :data:`FRAGMENTS`) goes everywhere a user, a teammate or
whoever edits the live account can put text: live names (made with Hume's official SDK, since the
dashboard can make names that ``validate`` refuses), prompt texts, tool descriptions and fallback
contents, config event messages, version descriptions, references; manifests holding the same texts
(valid ones) and the same names (refused ones). Then every command runs in every format it has:
validate, plan, apply, drift, export, history and rollback; text, JSON, Markdown, GitHub annotations,
log groups and the job summary. Every stdout and stderr must hold

* no raw control character, escape sequence, bidi control or invisible code point (tab and the
  newlines of the layout aside), and no traceback;
* no line the Actions runner would take as a workflow command but humectl's own (``::group::``,
  ``::endgroup::``, ``::error``/``::warning``/``::notice`` annotations), and no ``##[`` anywhere;

every Markdown (stdout, ``plan.md``, the job summary), rendered by cmark-gfm (GitHub's library),
keeps its structure: one row per change in the table, one closed ``<details>`` per change, one
``Plan:`` summary, no HTML comment, no tag humectl did not write; and every JSON parses, holding the
names exactly as they are live (data is never escaped, only output).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import cmarkgfm
import httpx
import pytest
import yaml
from click.testing import CliRunner, Result
from cmarkgfm.cmark import Options
from hume import HumeClient
from hume.empathic_voice import PostedConfigPrompt, PostedEventMessageSpecs, PostedEventMessageSpecsOnNewChat

from humectl.cli.app import cli
from humectl.core.codepoints import first_unsafe, unsafe_class
from humectl.core.provenance import describe
from humectl.core.settings import Settings
from humectl.decide.export import escape_variables
from humectl.emulator.app import EmulatorConfig
from humectl.emulator.serve import run_in_thread
from tests.support import snapshot_account

FRAGMENTS = [
    "\n",
    "\r",
    "\r\n",
    "**Plan: 0 to create** No changes.",
    "<!--",
    "-->",
    "</details>",
    "<details><summary>x</summary>",
    "```",
    "````diff",
    "~~~",
    "|",
    "| a | b |\n|---|---|",
    "\n::stop-commands::tok",
    "::error::injected",
    "  ::warning file=x::y",
    "::add-mask::secret",
    "##[error]old syntax",
    "x ##[group]y",
    "\x1b]0;title\x07",
    "\x1b]8;;https://evil.example\x1b\\link\x1b]8;;\x1b\\",
    "\x1b[31mred\x1b[0m",
    "\x1b[2J\x1b[H",
    "\x9b31m",
    "\x9d0;t\x9c",
    "support\u202egnp.exe",
    "\u2066isolate\u2069",
    "\u200eleft\u200f",
    "admin\u200b",
    "ad\u200dmin",
    "\ufeffbom",
    "soft\u00adhyphen",
    "tag\U000e0041\U000e0042",
    "line\u2028sep",
    "para\u2029sep",
    "nul\x00byte",
    "del\x7f",
    "nel\x85",
    "bell\x07",
    "back\x08space",
    "@octocat hello",
    "# heading",
    "> quote",
    "- item",
    "1. list",
    "$\\huge x$",
    "[link](https://evil.example)",
    "<img src=x onerror=alert(1)>",
    "<script>alert(1)</script>",
    "&lt;b&gt;",
    "\\",
    "`",
    "``a``",
    "café-agent 日本語 агент",
    "👩\u200d💻",
    "x" * 300,
]
# Each fragment alone, inside ordinary text, and one long text holding all of them.
CORPUS = [*FRAGMENTS, *(f"agent {f} end" for f in FRAGMENTS), "\n".join(FRAGMENTS) * 20]
API_KEY = "corpus-key"
# The names validate must refuse (a control, bidi or invisible character, edge whitespace, too long);
# markup alone ("**Plan…**", "<!--", "|") is a fine name, shown escaped wherever it goes.
REFUSED = [t for t in FRAGMENTS if first_unsafe(t, strict=True) or t != t.strip() or len(t) > 256]


def live_name(i: int, text: str) -> str:
    """A unique live name that starts with the hostile text (the emulator allows up to 256 characters)."""
    return f"{text[:240]} #{i}"


@dataclass
class Account:
    url: str
    root: Path
    good: Path  # valid manifests holding the corpus as texts
    bad: Path  # manifests holding the corpus as names (validate refuses them)
    names: list[str]  # every live prompt name made outside humectl
    env: dict[str, str]


def seed(url: str) -> list[str]:
    """The live account, made with Hume's SDK as a dashboard user would make it."""
    hume = HumeClient(api_key=API_KEY, base_url=url).empathic_voice
    names = []
    for i, text in enumerate(CORPUS):
        name = live_name(i, text)
        # Even ones look made by humectl (a prune deletes them), odd ones do not (drift, kept).
        description = describe(text[:200], f"seed{i}") if i % 2 == 0 else text
        hume.prompts.create_prompt(name=name, text=text, version_description=description)
        names.append(name)
        # text-0 is humectl's (so a prune keeps something it manages); the others were edited by hand.
        kept = describe("seeded", "seed") if i == 0 else text
        hume.prompts.create_prompt(name=f"text-{i}", text="The old text.", version_description=kept)
    for i, text in enumerate(CORPUS[: len(FRAGMENTS)]):
        pinned = hume.prompts.list_prompts(name=names[2 * (i // 2) + 1], restrict_to_most_recent=True)
        prompt = next(iter(pinned))
        hume.configs.create_config(
            name=live_name(i, text) if i % 3 else f"cfg-{i}",
            evi_version="3",
            prompt=PostedConfigPrompt(id=prompt.id, version=0),
            version_description=text,
            event_messages=PostedEventMessageSpecs(
                on_new_chat=PostedEventMessageSpecsOnNewChat(enabled=True, text=text)
            ),
        )
    return names


def write_manifests(root: Path, names: list[str]) -> tuple[Path, Path]:
    good, bad = root / "good", root / "bad"
    good.mkdir()
    bad.mkdir()
    prompts, tools, configs = [], [], []
    for i, text in enumerate(CORPUS):
        safe = escape_variables(text)
        prompts.append({"name": f"text-{i}", "text": safe, "version_description": safe[:300]})
        tools.append(
            {
                "name": f"tool_{i}",
                "description": safe,
                "fallback_content": safe,
                "parameters": {"type": "object", "properties": {"q": {"type": "string", "description": safe}}},
            }
        )
    for i, text in enumerate(FRAGMENTS):
        safe = escape_variables(text)
        configs.append(
            {
                "name": f"config-{i}",
                "evi_version": "3",
                "prompt": {"name": names[2 * (i // 2) + 1], "version": 0},  # a live, hostile, unmanaged name
                "event_messages": {"on_new_chat": {"enabled": True, "text": safe}},
            }
        )
    dump = {"allow_unicode": False, "sort_keys": False, "width": 10**6}
    (good / "prompts.yaml").write_text(yaml.safe_dump({"prompts": prompts}, **dump))
    (good / "tools.yaml").write_text(yaml.safe_dump({"tools": tools}, **dump))
    (good / "configs.yaml").write_text(yaml.safe_dump({"configs": configs}, **dump))
    named = [{"name": escape_variables(text), "text": "x"} for text in FRAGMENTS]
    (bad / "names.yaml").write_text(yaml.safe_dump({"prompts": named}, default_flow_style=None, **dump))
    return good, bad


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Account, dict[str, Any]]]:
    """The account made once per module, and its snapshot (every version, id and time)."""
    root = tmp_path_factory.mktemp("corpus")
    with run_in_thread(EmulatorConfig(api_key=API_KEY)) as url:
        names = seed(url)
        good, bad = write_manifests(root, names)
        env = {
            "HUME_API_KEY": API_KEY,
            "HUME_BASE_URL": url,
            "NO_COLOR": "1",
            "GITHUB_ACTIONS": "",
            "HUMECTL_ENV": "",
            "GITHUB_STEP_SUMMARY": "",
        }
        yield Account(url, root, good, bad, names, env), snapshot_account(Settings(base_url=url, api_key=API_KEY))


@pytest.fixture
def account(seeded: tuple[Account, dict[str, Any]]) -> Account:
    """The seeded account, as seeded: each test starts from it whatever the others applied or rolled back."""
    made, snapshot = seeded
    with httpx.Client(base_url=made.url, headers={"X-Hume-Api-Key": API_KEY}) as admin:
        admin.post("/_emulator/reset").raise_for_status()
        admin.post("/_emulator/seed", json=snapshot).raise_for_status()
    return made


# --- what must never be in any output ------------------------------------------------------------

OWN_COMMAND = re.compile(r"^::(group::|endgroup::$|add-mask::|(error|warning|notice)( [^:]*)?::)")


def runner_sees_command(line: str) -> bool:
    """ActionCommand.TryParseV2 / TryParse of the Actions runner, as far as "is it a command"."""
    stripped = line.lstrip()
    return (stripped.startswith("::") and "::" in stripped[2:]) or "##[" in line


def check_stream(text: str, where: str, *, log: bool = True) -> None:
    """``text`` holds nothing raw a terminal acts on; printed to a log (``log``), no workflow command."""
    assert "Traceback" not in text, where
    for i, ch in enumerate(text):
        if ch in "\n\t":
            continue
        kind = unsafe_class(ch, before=text[i - 1 : i], after=text[i + 1 : i + 2])
        assert kind is None, f"{where}: raw {kind} U+{ord(ch):04X} at {i}: {text[max(0, i - 40) : i + 40]!r}"
    for line in re.split(r"\r\n|\r|\n", text) if log else ():
        if runner_sees_command(line):
            assert OWN_COMMAND.match(line), f"{where}: a line the runner takes as a command: {line[:200]!r}"


class Html(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.starts: list[str] = []
        self.ends: list[str] = []
        self.comments: list[str] = []
        self.strong: list[str] = []
        self._in_strong = False

    def handle_starttag(self, tag: str, attrs: object) -> None:
        self.starts.append(tag)
        self._in_strong = tag == "strong" or self._in_strong

    def handle_endtag(self, tag: str) -> None:
        self.ends.append(tag)
        if tag == "strong":
            self._in_strong = False

    def handle_comment(self, data: str) -> None:
        self.comments.append(data)

    def handle_data(self, data: str) -> None:
        if self._in_strong:
            self.strong.append(data)


ALLOWED_TAGS = {
    "h3",
    "p",
    "strong",
    "em",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "code",
    "details",
    "summary",
    "pre",
    "blockquote",
    "br",
    "ul",
    "li",
}  # ul/li: humectl's risk and policy lists


def table_rows(markdown: str) -> int:
    """Rows humectl wrote into the first table of ``markdown`` (its source lines after the header)."""
    lines = markdown.splitlines()
    start = next((i for i, line in enumerate(lines) if line.startswith("|---")), None)
    if start is None:
        return 0
    rows = 0
    for line in lines[start + 1 :]:
        if not line.startswith("| "):
            break
        rows += 1
    return rows


def check_markdown(markdown: str, where: str, *, changes: int | None = None, log: bool = False) -> Html:
    """The Markdown renders with exactly the structure humectl wrote (GitHub's own renderer). A file
    (``plan.md``, the job summary) is no log: the runner never parses it for workflow commands."""
    check_stream(markdown, where, log=log)
    rendered = cmarkgfm.github_flavored_markdown_to_html(markdown, options=Options.CMARK_OPT_UNSAFE)
    parsed = Html()
    parsed.feed(rendered)
    parsed.close()
    assert not parsed.comments and "<!--" not in rendered, f"{where}: an HTML comment opened"
    assert set(parsed.starts) <= ALLOWED_TAGS, f"{where}: tags {set(parsed.starts) - ALLOWED_TAGS}"
    assert parsed.starts.count("details") == parsed.ends.count("details"), f"{where}: <details> unbalanced"
    written = sum(1 for line in markdown.splitlines() if line.startswith("<details><summary>"))
    assert parsed.starts.count("details") == written, f"{where}: {parsed.starts.count('details')} of {written}"
    assert parsed.starts.count("table") == parsed.ends.count("table"), where
    summaries = [s for s in parsed.strong if s.startswith(("Plan:", "Apply"))]
    assert len(summaries) == 1, f"{where}: summary lines {summaries}"
    rows = table_rows(markdown)
    first = rendered.split("</table>", 1)[0]
    assert first.count("<tr>") == rows + 1, f"{where}: {first.count('<tr>') - 1} rows rendered, {rows} written"
    if changes is not None:
        listed = re.search(r"and (\d+) more changes not listed", markdown)
        assert rows + (int(listed.group(1)) if listed else 0) == changes, f"{where}: {rows} rows for {changes}"
    return parsed


# --- running every command in every format ------------------------------------------------------


@dataclass
class Run:
    label: str
    result: Result

    @property
    def first_line(self) -> str:
        lines = (self.result.stdout + self.result.stderr).splitlines()
        return lines[0] if lines else ""


RUNS: list[Run] = []  # every invocation, for the closing note (scripts/hostile_corpus_report.py)


def run(account: Account, label: str, *args: str, exit_codes: tuple[int, ...], **env: str) -> Result:
    result = CliRunner().invoke(cli, list(args), env={**account.env, **env}, catch_exceptions=True)
    assert result.exception is None or isinstance(result.exception, SystemExit), f"{label}: {result.exception!r}"
    shown = f"{result.stderr[-3000:]}\n{result.stdout[:3000]}"
    assert result.exit_code in exit_codes, f"{label}: exit {result.exit_code}\n{shown}"
    check_stream(result.stdout, f"{label} stdout")
    check_stream(result.stderr, f"{label} stderr")
    RUNS.append(Run(label, result))
    return result


def changes_of(plan_json: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(plan_json)
    return document


def test_validate(account: Account) -> None:
    for output in ("text", "json"):
        result = run(
            account, f"validate good -o {output}", "validate", str(account.good), "-o", output, exit_codes=(0,)
        )
        if output == "json":
            assert json.loads(result.stdout)["valid"] is True
        refused = run(account, f"validate bad -o {output}", "validate", str(account.bad), "-o", output, exit_codes=(1,))
        if output == "json":
            problems = json.loads(refused.stdout)["problems"]
            assert len([p for p in problems if p["rule"] == "name"]) == len(REFUSED)
    annotated = run(
        account,
        "validate bad (GitHub annotations)",
        "validate",
        str(account.bad),
        exit_codes=(1,),
        GITHUB_ACTIONS="true",
    )
    annotations = [line for line in annotated.stdout.splitlines() if line.startswith("::error ")]
    assert len(annotations) == len(REFUSED)


def test_plan_in_every_format(account: Account, tmp_path: Path) -> None:
    base = ["plan", str(account.good), "--prune"]
    text = run(account, "plan text", *base, exit_codes=(0,))
    assert text.stdout.splitlines()[-1].startswith("Plan: ")
    as_json = run(account, "plan -o json", *base, "-o", "json", exit_codes=(0,))
    document = changes_of(as_json.stdout)
    changes = document["changes"]
    deleted = {c["name"] for c in changes if c["action"] == "delete"}
    assert deleted == {n for i, n in enumerate(account.names) if i % 2 == 0}  # live names, exactly as they are
    markdown = run(account, "plan -o markdown", *base, "-o", "markdown", exit_codes=(0,))
    shown = check_markdown(markdown.stdout, "plan -o markdown", changes=len(changes), log=True)
    assert shown.starts.count("details") >= 1
    summary = tmp_path / "summary.md"
    github = run(
        account,
        "plan (GitHub: summary, --out)",
        *base,
        "--out",
        str(tmp_path / "plan.json"),
        "--detailed-exitcode",
        exit_codes=(2,),
        GITHUB_ACTIONS="true",
        GITHUB_STEP_SUMMARY=str(summary),
    )
    assert github.exit_code == 2
    check_markdown(summary.read_text(), "job summary", changes=len(changes))
    check_markdown((tmp_path / "plan.md").read_text(), "plan.md", changes=len(changes))
    run(account, "plan bad (GitHub annotations)", "plan", str(account.bad), exit_codes=(1,), GITHUB_ACTIONS="true")
    run(account, "plan bad -o json", "plan", str(account.bad), "-o", "json", exit_codes=(1,))


def test_drift(account: Account) -> None:
    text = run(account, "drift text", "drift", str(account.good), "--detailed-exitcode", exit_codes=(2,))
    assert "made outside humectl" in text.stdout
    document = json.loads(
        run(account, "drift -o json", "drift", str(account.good), "-o", "json", exit_codes=(0,)).stdout
    )
    assert document["drifted"] is True


def test_history_and_rollback_of_hostile_names(account: Account) -> None:
    hume = HumeClient(api_key=API_KEY, base_url=account.url).empathic_voice
    for i in (13, 19, 25):  # \n::stop-commands, the OSC title, the bidi override
        name = account.names[i]
        prompt = next(iter(hume.prompts.list_prompts(name=name, restrict_to_most_recent=True)))
        hume.prompts.create_prompt_version(id=prompt.id, text=CORPUS[i] + " v1", version_description=CORPUS[i])
        address = f"prompt/{name}"
        run(account, f"history {i} text", "history", address, exit_codes=(0,))
        document = json.loads(
            run(account, f"history {i} -o json", "history", address, "-o", "json", exit_codes=(0,)).stdout
        )
        assert document["name"] == name
        run(account, f"rollback {i}", "rollback", address, "--to-version", "0", "--auto-approve", exit_codes=(0,))


def test_export_of_a_hostile_account(account: Account, tmp_path: Path) -> None:
    refused = run(account, "export", "export", "--dir", str(tmp_path / "out"), exit_codes=(1,))
    assert "whose names manifests refuse" in refused.stderr and "nothing was written" in refused.stderr
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())
    run(account, "export -o json", "export", "--dir", str(tmp_path / "out2"), "-o", "json", exit_codes=(1,))
    clean = run(
        account,
        "export --select (a clean name, hostile texts)",
        "export",
        "--dir",
        str(tmp_path / "out3"),
        "--select",
        "prompt/text-13",
        "--select",
        "prompt/text-19",
        exit_codes=(0,),
    )
    assert "Checked: `humectl plan` on these files shows no changes." in clean.stdout


def test_apply_in_every_format(account: Account, tmp_path: Path) -> None:
    summary = tmp_path / "summary.md"
    planned = run(
        account,
        "plan --out (for apply)",
        "plan",
        str(account.good),
        "--prune",
        "--out",
        str(tmp_path / "plan.json"),
        exit_codes=(0,),
    )
    assert planned.exit_code == 0
    applied = run(
        account,
        "apply plan.json (GitHub: groups, summary)",
        "apply",
        str(tmp_path / "plan.json"),
        "--auto-approve",
        exit_codes=(0,),
        GITHUB_ACTIONS="true",
        GITHUB_STEP_SUMMARY=str(summary),
    )
    assert "::group::humectl apply: progress" in applied.stdout
    check_markdown(summary.read_text(), "apply job summary")
    again = run(account, "apply -o json", "apply", str(account.good), "--auto-approve", "-o", "json", exit_codes=(0,))
    json.loads(again.stdout)
    run(account, "apply bad", "apply", str(account.bad), "--auto-approve", exit_codes=(1,), GITHUB_ACTIONS="true")
    run(account, "plan after apply", "plan", str(account.good), "--detailed-exitcode", exit_codes=(0,))


@pytest.mark.last_in_module
def test_every_command_and_format_ran() -> None:
    if not RUNS:
        pytest.skip("run the whole module: this counts the runs of the tests above")
    commands = {r.label.split()[0] for r in RUNS}
    assert commands >= {"validate", "plan", "apply", "drift", "export", "history", "rollback"}, commands
    report = os.environ.get("HUMECTL_CORPUS_REPORT")
    if report:  # the figures of the closing note: corpus size, and each run's exit code and first line
        rows = [{"run": r.label, "exit": r.result.exit_code, "first_line": r.first_line} for r in RUNS]
        Path(report).write_text(
            json.dumps({"corpus": len(CORPUS), "fragments": len(FRAGMENTS), "runs": rows}, indent=1, ensure_ascii=True)
        )
