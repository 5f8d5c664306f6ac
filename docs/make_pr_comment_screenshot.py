"""Render docs/pr-comment.png: a picture of the sticky PR comment that `humectl plan --output markdown` writes.

Regenerate (from the repository root):

    python3 -m venv /tmp/venv-shot && /tmp/venv-shot/bin/pip install -q -e ".[test]"
    apt-get install -y chromium fonts-noto-core fonts-noto-color-emoji   # Debian, once
    /tmp/venv-shot/bin/python docs/make_pr_comment_screenshot.py

`markdown-it-py` comes with `rich` (a dependency of the test extras); it is not a humectl dependency.
Options: `--out PATH` (default docs/pr-comment.png), `--html PATH` to keep the page, `--chromium BIN`.

What it does, all against a throwaway emulator account in a temp dir:
1. `humectl apply examples/support-desk --emulator=acct.sqlite3 --auto-approve`;
2. copies the example, adds a line to prompts/support-agent.md and sets temperature 0.6 -> 0.5 in configs.yaml;
3. `humectl plan <copy> --emulator=acct.sqlite3 --output markdown` (NO_COLOR=1): the real Markdown;
4. turns it into HTML (markdown-it-py, tables on), inside a page styled like a GitHub PR comment;
5. headless Chromium measures the page height, then takes the screenshot at 1000 px wide.
"""

from __future__ import annotations

import argparse
import html
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from markdown_it import MarkdownIt

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "support-desk"
WIDTH = 1000
ADDED_PROMPT_LINE = "Never promise a refund before the return has been created."

CSS = """
* { box-sizing: border-box; }
html, body { margin: 0; background: #ffffff; }
body {
  font-family: -apple-system, BlinkMacSystemFont, "Segoe UI", "Noto Sans", Helvetica, Arial, sans-serif,
    "Apple Color Emoji", "Segoe UI Emoji", "Noto Color Emoji";
  font-size: 14px; line-height: 1.5; color: #1f2328;
}
.timeline { display: flex; gap: 16px; padding: 20px 20px 24px 20px; }
.avatar {
  flex: none; width: 40px; height: 40px; border-radius: 6px; background: #2f81f7;
  display: flex; align-items: center; justify-content: center;
  color: #fff; font-weight: 700; font-size: 20px;
}
.comment { flex: 1; min-width: 0; border: 1px solid #d1d9e0; border-radius: 6px; position: relative; }
.comment::before, .comment::after {
  content: ""; position: absolute; top: 11px; left: -16px; border: 8px solid transparent;
}
.comment::before { border-right-color: #d1d9e0; }
.comment::after { left: -15px; border-right-color: #f6f8fa; }
.header {
  background: #f6f8fa; border-bottom: 1px solid #d1d9e0; border-radius: 6px 6px 0 0;
  padding: 8px 16px; color: #59636e; display: flex; align-items: center; gap: 6px;
}
.header b { color: #1f2328; }
.label {
  border: 1px solid #d1d9e0; border-radius: 2em; padding: 0 7px; font-size: 12px; font-weight: 500;
  line-height: 18px; color: #59636e;
}
.header .spacer { flex: 1; }
.header .dots { font-weight: 700; letter-spacing: 1px; }
.markdown { padding: 16px; }
.markdown > *:first-child { margin-top: 0; }
.markdown > *:last-child { margin-bottom: 0; }
h3 { font-size: 1.25em; font-weight: 600; margin: 0 0 16px 0; line-height: 1.25; }
p, table, pre, details, blockquote { margin: 0 0 16px 0; }
code, pre {
  font-family: ui-monospace, SFMono-Regular, "SF Mono", Menlo, Consolas, "Liberation Mono", monospace;
  font-size: 85%;
}
code { background: #eff1f3; border-radius: 6px; padding: 0.2em 0.4em; }
table { border-collapse: collapse; display: block; width: max-content; max-width: 100%; overflow: auto; }
th, td { border: 1px solid #d1d9e0; padding: 6px 13px; }
th { font-weight: 600; }
tr { background: #ffffff; border-top: 1px solid #d1d9e0; }
tr:nth-child(2n) { background: #f6f8fa; }
details { margin-bottom: 8px; }
details > summary { cursor: pointer; padding: 2px 0; }
details[open] > summary { margin-bottom: 12px; }
details > :not(summary) { margin-left: 18px; }
pre {
  background: #f6f8fa; border-radius: 6px; padding: 12px 0; overflow: auto; line-height: 1.45;
}
pre code { background: none; padding: 0; font-size: 100%; display: block; }
pre .line { display: block; padding: 0 16px; white-space: pre; }
pre .add { background: #dafbe1; color: #116329; }
pre .del { background: #ffebe9; color: #82071e; }
pre .hunk { color: #8250df; }
pre .file { color: #59636e; font-weight: 600; }
.footer { margin-top: 4px; color: #59636e; font-size: 12px; }
"""


def run(args: list[str], cwd: Path) -> str:
    env = {**os.environ, "NO_COLOR": "1"}
    proc = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit(f"{' '.join(args)} failed ({proc.returncode}):\n{proc.stdout}{proc.stderr}")
    return proc.stdout


def make_plan_markdown(work: Path) -> str:
    """A real plan from the emulator: apply the example, change a prompt line and a config field, plan again."""
    humectl = [sys.executable, "-m", "humectl"]
    run([*humectl, "apply", str(EXAMPLE), "--emulator=acct.sqlite3", "--auto-approve"], work)
    copy = work / "support-desk"
    shutil.copytree(EXAMPLE, copy)

    prompt = copy / "prompts" / "support-agent.md"
    text = prompt.read_text()
    anchor = "offer to create a ticket.\n"
    if anchor not in text:
        sys.exit(f"{prompt}: expected line ending in {anchor!r} not found")
    prompt.write_text(text.replace(anchor, anchor + ADDED_PROMPT_LINE + "\n", 1))

    configs = copy / "configs.yaml"
    text = configs.read_text()
    if "temperature: 0.6" not in text:
        sys.exit(f"{configs}: 'temperature: 0.6' not found")
    configs.write_text(text.replace("temperature: 0.6", "temperature: 0.5", 1))

    return run([*humectl, "plan", "support-desk", "--emulator=acct.sqlite3", "--output", "markdown"], work)


def diff_fence(md: MarkdownIt) -> None:
    """Fenced ```diff blocks: one span per line, coloured by its first character."""
    default = md.renderer.rules["fence"]

    def fence(renderer, tokens, idx, options, env):  # type: ignore[no-untyped-def]
        token = tokens[idx]
        if token.info.strip() != "diff":
            return default(tokens, idx, options, env)
        lines = []
        for line in token.content.rstrip("\n").split("\n"):
            if line.startswith(("+++", "---")):
                cls = "file"
            elif line.startswith("@@"):
                cls = "hunk"
            elif line.startswith("+"):
                cls = "add"
            elif line.startswith("-"):
                cls = "del"
            else:
                cls = "ctx"
            lines.append(f'<span class="line {cls}">{html.escape(line) or " "}</span>')
        return f'<pre><code class="language-diff">{"".join(lines)}</code></pre>\n'

    md.add_render_rule("fence", fence)


def to_html(markdown: str) -> str:
    md = MarkdownIt("commonmark", {"html": True}).enable("table")
    diff_fence(md)
    body = md.render(markdown)
    # GitHub shows <details> closed; open the first two so the picture has a prompt diff and a field table.
    body = re.sub(r"<details>", "<details open>", body, count=2)
    return f"""<!doctype html>
<html><head><meta charset="utf-8"><title>humectl plan</title><style>{CSS}</style></head>
<body>
<div class="timeline">
  <div class="avatar" aria-hidden="true">&#9881;</div>
  <div class="comment" id="comment">
    <div class="header">
      <b>github-actions</b> <span class="label">bot</span> commented 2 minutes ago
      <span class="spacer"></span><span class="dots">&middot;&middot;&middot;</span>
    </div>
    <div class="markdown">
{body}
    </div>
  </div>
</div>
</body></html>
"""


def chromium_args(binary: str, profile: Path, height: int) -> list[str]:
    return [
        binary,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
        "--hide-scrollbars",
        "--force-device-scale-factor=1",
        f"--window-size={WIDTH},{height}",
    ]


def measure_height(binary: str, work: Path, page: Path) -> int:
    """First pass: let the page write its own height into the DOM, read it from --dump-dom."""
    probe = page.with_name("measure.html")
    script = (
        "<script>window.addEventListener('load', () => {"
        "const d = document.createElement('div'); d.id = 'measured';"
        "d.textContent = 'HEIGHT=' + Math.ceil(document.querySelector('.timeline').getBoundingClientRect().bottom);"
        "document.body.appendChild(d); });</script>"
    )
    probe.write_text(page.read_text().replace("</body>", script + "</body>"))
    args = [*chromium_args(binary, work / "profile-measure", 800), "--virtual-time-budget=2000", "--dump-dom"]
    proc = subprocess.run([*args, probe.as_uri()], capture_output=True, text=True, timeout=120)
    found = re.search(r"HEIGHT=(\d+)", proc.stdout)
    if not found:
        sys.exit(f"could not measure the page height:\n{proc.stderr[-2000:]}")
    return int(found.group(1))


def screenshot(binary: str, work: Path, page: Path, out: Path, height: int) -> None:
    shot = work / "shot.png"
    args = [*chromium_args(binary, work / "profile-shot", height), f"--screenshot={shot}"]
    proc = subprocess.run([*args, page.as_uri()], capture_output=True, text=True, timeout=120)
    if not shot.exists():
        sys.exit(f"chromium wrote no screenshot ({proc.returncode}):\n{proc.stderr[-2000:]}")
    out.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(shot, out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "pr-comment.png")
    parser.add_argument("--html", type=Path, help="also keep the rendered HTML page here")
    parser.add_argument("--chromium", default=shutil.which("chromium") or "chromium")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="humectl-shot-") as tmp:
        work = Path(tmp)
        markdown = make_plan_markdown(work)
        page = work / "comment.html"
        page.write_text(to_html(markdown))
        if args.html:
            shutil.copyfile(page, args.html)
        height = measure_height(args.chromium, work, page)
        screenshot(args.chromium, work, page, args.out, height)
    print(f"wrote {args.out} ({WIDTH}x{height}, {args.out.stat().st_size // 1024} KB)")


if __name__ == "__main__":
    main()
