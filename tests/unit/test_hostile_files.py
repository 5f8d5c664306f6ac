"""Hostile files and values: symlinks out of the root, files that are not manifests (never quoted),
numbers over 4,300 digits, JSON nested 2,000 deep, bad base URLs. Each is one located message, exit 1."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from humectl.cli.app import cli
from tests.unit.manifest_helpers import write_tree

SECRET = "ghp_SECRETTOKEN0123456789abcdef"
PROMPT = "prompts:\n  - {name: p, text: hi}\n"


def run(*args: str, env: dict[str, str] | None = None) -> Result:
    base = {"GITHUB_ACTIONS": "", "HUMECTL_ENV": "", "HUME_API_KEY": "k", "HUME_BASE_URL": ""}
    return CliRunner().invoke(cli, list(args), env={**base, **(env or {})})


def no_traceback(result: Result) -> str:
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    return result.output


def test_manifest_symlinks_that_leave_the_root_are_not_read(tmp_path: Path) -> None:
    (tmp_path / "secret.txt").write_text(SECRET + "\n")
    write_tree(tmp_path / "elsewhere", {"o.yaml": PROMPT})
    root = write_tree(tmp_path / "root", {"b.yaml": PROMPT.replace("name: p", "name: b")})
    os.symlink(tmp_path / "secret.txt", root / "a.yaml")
    os.symlink(tmp_path / "elsewhere", root / "linked")
    write_tree(root, {"inside/c.yaml": PROMPT.replace("name: p", "name: c")})
    os.symlink(root / "inside", root / "also-inside")  # inside the root: still followed (once)
    out = no_traceback(run("validate", str(root)))
    assert out.splitlines() == [
        f"{root}/a.yaml: manifest is a symlink that leads outside the manifest directory; not read "
        "(hint: keep manifests inside the manifest directory (text_file has the same rule), or copy the file in)",
        f"{root}/linked: directory is a symlink that leads outside the manifest directory; not read "
        "(hint: keep manifests inside the manifest directory (text_file has the same rule), or copy the file in)",
        "2 errors, 0 warnings: the manifests are not valid",
    ]
    assert SECRET not in out


@pytest.mark.parametrize(
    ("content", "why"),
    [
        (SECRET, "its content is a string, not a mapping"),
        (f"- {SECRET}\n", "its content is a list, not a mapping"),
        (
            "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5v\n-----END OPENSSH PRIVATE KEY-----\n",
            "its content is a string, not a mapping",
        ),
        (f"password: {SECRET}\nuser: bob\n", "a mapping with none of prompts:, tools:, configs: (2 other key(s))"),
        ("12345678901234567890\n", "its content is a number, not a mapping"),
    ],
)
def test_a_file_that_is_not_a_manifest_is_described_by_its_shape_only(tmp_path: Path, content: str, why: str) -> None:
    write_tree(tmp_path, {"creds.yaml": content})
    for output in ("text", "json"):
        out = no_traceback(run("validate", str(tmp_path), "-o", output))
        assert SECRET not in out and "b3Bl" not in out and "bob" not in out
        assert f"not a humectl manifest: {why}" in out


def test_values_outside_entries_are_not_quoted(tmp_path: Path) -> None:
    write_tree(tmp_path, {"a.yaml": f"prompts: {SECRET}\nconfigs: [{SECRET}]\n"})
    out = no_traceback(run("validate", str(tmp_path)))
    assert SECRET not in out
    assert "prompts: must be a list, not a string" in out


def test_a_typo_in_a_top_level_key_is_still_a_manifest(tmp_path: Path) -> None:
    write_tree(tmp_path, {"a.yaml": "promts:\n  - {name: p, text: hi}\n"})
    assert "unknown field 'promts' (hint: did you mean 'prompts'?)" in no_traceback(run("validate", str(tmp_path)))


# --- no traceback: huge integers and deep JSON anywhere --------------------------------------------

HUGE = "1" * 5000


def test_huge_integers_in_every_file_humectl_reads(tmp_path: Path) -> None:
    config = f'configs:\n  - {{name: c, evi_version: "3", nudges: {{interval_secs: {HUGE}}}}}\n'
    root = write_tree(tmp_path / "m", {"a.yaml": config})
    out = no_traceback(run("validate", str(root)))
    assert (
        out.splitlines()[0]
        == f"{root}/a.yaml:2:57: a number of 5,000 digits is too large (hint: quote it if it is text)"
    )

    write_tree(root, {"a.yaml": PROMPT, "humectl.yaml": f"variables: {{n: {HUGE}}}\n"})
    assert "humectl.yaml:1:16: a number of 5,000 digits is too large" in no_traceback(run("validate", str(root)))

    (root / "humectl.yaml").unlink()
    (tmp_path / "vars.yaml").write_text(f"n: {HUGE}\n")
    out = no_traceback(run("validate", str(root), "--var-file", str(tmp_path / "vars.yaml")))
    assert "vars.yaml:1:4: a number of 5,000 digits is too large" in out

    config = 'configs:\n  - name: c\n    evi_version: "3"\n    nudges:\n      interval_secs: ${n}\n'
    write_tree(root, {"a.yaml": config})
    out = no_traceback(run("validate", str(root), env={"HUMECTL_VAR_n": HUGE}))
    assert "nudges.interval_secs: must be an integer or null, not '111" in out


@pytest.mark.parametrize(
    ("parameters", "message"),
    [
        ("[" * 2000 + "]" * 2000, "parameters is nested more than 200 levels deep"),
        ('{"a":' * 300 + "1" + "}" * 300, "parameters is nested more than 200 levels deep"),
        ('{"maximum": ' + HUGE + "}", "parameters is not valid JSON: an integer has more than 4,300 digits"),
        ('{"maximum": NaN}', "parameters is not valid JSON: NaN is not a JSON number"),
        ('{"maximum": 1e400}', "parameters is not valid JSON: the number 1e400 is too large for a float"),
    ],
)
def test_tool_parameters_given_as_hostile_json_strings(tmp_path: Path, parameters: str, message: str) -> None:
    write_tree(tmp_path, {"a.yaml": f"tools:\n  - name: t\n    parameters: {json.dumps(parameters)}\n"})
    out = no_traceback(run("validate", str(tmp_path)))
    assert out.splitlines()[0].startswith(f"{tmp_path}/a.yaml:3:17: {message}")


def test_deep_yaml_parameters(tmp_path: Path) -> None:
    write_tree(tmp_path, {"a.yaml": "tools:\n  - name: t\n    parameters: " + "[" * 2000 + "]" * 2000 + "\n"})
    assert "YAML" in no_traceback(run("validate", str(tmp_path)))


def test_a_saved_plan_that_is_not_one_never_quotes_its_content(tmp_path: Path) -> None:
    for content in (
        "[" * 5000 + "]" * 5000,
        json.dumps({"format_version": 1, "changes": [{"address": SECRET}]}),
        json.dumps({"format_version": 1, "created_at": SECRET}),
    ):
        (tmp_path / "plan.json").write_text(content)
        out = no_traceback(run("apply", str(tmp_path / "plan.json"), "--emulator=" + str(tmp_path / "e.db")))
        assert "is not a" in out and SECRET not in out


# --- base URLs ----------------------------------------------------------------------------------


PORT = "Error: --base-url / HUME_BASE_URL has an invalid port {}: a port is a number from 1 to 65535"
USERINFO = "Error: --base-url / HUME_BASE_URL must not hold a user name or password ({})"
PLAIN = "Error: refusing to send the API key over plain http to {}"


@pytest.mark.parametrize(
    ("url", "first_line"),
    [
        ("http://127.0.0.1:99999", PORT.format("'99999'")),
        ("http://127.0.0.1:65536", PORT.format("'65536'")),
        ("http://127.0.0.1:-1", PORT.format("'-1'")),
        ("http://127.0.0.1:abc", PORT.format("'abc'")),
        ("http://127.0.0.1:0", PORT.format("'0'")),
        ("https://user:PASSWORD@api.example.com", USERINFO.format("https://***@api.example.com")),
        ("http://:PASSWORD@127.0.0.1:8765", USERINFO.format("http://***@127.0.0.1:8765")),
        ("http://evil.localhost:8765", PLAIN.format("evil.localhost")),
        ("http://localhost.:8765", PLAIN.format("localhost.")),
        ("http://10.0.0.1:8765", PLAIN.format("10.0.0.1")),
        ("http://[::1", "Error: --base-url / HUME_BASE_URL is not a valid URL: http://[::1"),
        (
            "ftp://127.0.0.1",
            "Error: --base-url / HUME_BASE_URL must be an http(s) URL with a host, got ftp://127.0.0.1",
        ),
        ("http://h\x1b]0;x\x07:1", "Error: --base-url / HUME_BASE_URL is not a valid URL: http://h\\x1b]0;x\\x07:1"),
    ],
)
def test_bad_base_urls_are_usage_errors(tmp_path: Path, url: str, first_line: str) -> None:
    write_tree(tmp_path, {"a.yaml": PROMPT})
    for args, env in ((["--base-url", url], {}), ([], {"HUME_BASE_URL": url})):
        out = no_traceback(run("plan", str(tmp_path), *args, env=env))
        assert out.splitlines()[0] == first_line
        assert "PASSWORD" not in out


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:1",
        "http://127.8.9.10:1",
        "http://[::1]:1",
        "http://localhost:1",
        "http://LOCALHOST:1",
        "http://[::ffff:127.0.0.1]:1",
    ],
)
def test_plain_http_with_a_key_reaches_loopback_only(url: str) -> None:
    from humectl.io.client import check_key_transport, is_loopback

    assert is_loopback(url)
    check_key_transport(url, "k")  # no UsageError
    https = url.replace("http://", "https://")
    check_key_transport(https, "k")


def test_the_in_process_emulator_is_exempt(tmp_path: Path) -> None:
    write_tree(tmp_path, {"a.yaml": PROMPT})
    result = run("plan", str(tmp_path), f"--emulator={tmp_path / 'e.db'}", env={"HUME_BASE_URL": "http://x.localhost"})
    assert result.exit_code == 0, result.output
