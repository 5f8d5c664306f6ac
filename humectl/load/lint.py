"""Domain lint of loaded manifests: what is valid for the API but likely wrong for a voice agent.

``humectl validate`` reports these as warnings at the config's manifest line (silenced per config
entry with ``ignore_warnings: [rule]``):

- ``prompt-tool-not-attached``: the text of the prompt a config uses names a tool of the manifests
  (by its exact name) that the config does not attach: the model is told to call what it cannot;
- ``tool-not-mentioned``: a config attaches a tool that its prompt never mentions and that has no
  description: nothing tells the model when to call it.

It also lists the ``{{placeholder}}`` names of every prompt's text (:func:`placeholders`), which
validate's JSON shows per prompt so a caller can check the session variables it sends.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable
from typing import Any

from humectl.core.errors import Problem
from humectl.core.kinds import KINDS, KindName
from humectl.model.desired import DesiredResource, ManifestSet

TOOL_NOT_ATTACHED = "prompt-tool-not-attached"
TOOL_NOT_MENTIONED = "tool-not-mentioned"
RULES = (TOOL_NOT_ATTACHED, TOOL_NOT_MENTIONED)

# What each rule is about, for the SARIF rule list (humectl.render.sarif) and the docs.
HELP = {
    TOOL_NOT_ATTACHED: "A config's prompt names a tool (by its exact name) that the config does not attach: "
    "the model is told to call a tool it cannot. Attach the tool, or reword the prompt.",
    TOOL_NOT_MENTIONED: "A config attaches a tool that its prompt never mentions and that has no description: "
    "nothing tells the model when to call it. Describe the tool, or say in the prompt when to use it.",
}

# {{ name }}: Hume's dynamic variables in prompt text (session_settings.variables fill them in).
_PLACEHOLDER = re.compile(r"\{\{\s*([^{}\s]+)\s*\}\}")


def placeholders(text: str) -> list[str]:
    """The distinct ``{{placeholder}}`` names in ``text``, in order of first use."""
    return list(dict.fromkeys(m.group(1) for m in _PLACEHOLDER.finditer(text)))


def _mentions(text: str, name: str) -> bool:
    """``name`` written in ``text`` as a word of its own (not inside a longer identifier)."""
    return re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", text) is not None


_WORD = re.compile(r"[\w-]+")  # a name made of these is mentioned exactly when it is one such run of a text
# In ASCII text those runs are the pieces left when every other character becomes a space: splitting
# them out that way is about twice as fast as the regular expression (lint of 10,000 prompts: 0.3 s).
_ASCII_SEPARATORS = str.maketrans({c: " " for c in map(chr, range(128)) if not (c.isalnum() or c in "_-")})


def _words(text: str) -> list[str]:
    r"""The runs of ``[\w-]`` in ``text``."""
    return text.translate(_ASCII_SEPARATORS).split() if text.isascii() else _WORD.findall(text)


class _Mentions:
    """Which of ``names`` each text mentions (as :func:`_mentions` decides, as written or ``bare``).

    Each text's words are found once and looked up, rather than one regular expression per name per
    text: 10,000 configs against 3,000 tools made that 60 million searches (minutes). A name that is
    not a single word (it holds other characters) is still searched for on its own.
    """

    def __init__(self, names: Iterable[str], bare: Callable[[str], str]) -> None:
        self._by_word: dict[str, set[str]] = {}
        self._others: list[tuple[str, str]] = []
        for name in names:
            for form in dict.fromkeys((name, bare(name))):
                if _WORD.fullmatch(form):
                    self._by_word.setdefault(form, set()).add(name)
                else:
                    self._others.append((name, form))
        self._known = frozenset(self._by_word)
        self._found: dict[str, frozenset[str]] = {}

    def __call__(self, text: str) -> frozenset[str]:
        found = self._found.get(text)
        if found is None:
            hits: set[str] = set()
            # Only the text's words that are some name's form: a set intersection in C, not a lookup
            # per word (a prompt has hundreds of words and names few tools, if any).
            for word in self._known.intersection(_words(text)):
                hits.update(self._by_word[word])
            hits.update(name for name, form in self._others if name not in hits and _mentions(text, form))
            found = self._found[text] = frozenset(hits)
        return found


def _ref_names(value: Any) -> list[str]:
    items = value if isinstance(value, list) else [value] if value is not None else []
    return [str(i["name"]) for i in items if isinstance(i, dict) and isinstance(i.get("name"), str)]


def _where(res: DesiredResource, pointer: str) -> tuple[str, int, int]:
    source = res.positions.get(pointer) or res.source
    return source.file, source.line, source.col


def _text_field(kind_name: KindName) -> str | None:
    text = KINDS[kind_name].text_file
    return text.field if text is not None else None


def check(manifests: ManifestSet, display: str = ".") -> list[Problem]:
    """The lint warnings of ``manifests`` (files shown under ``display``, the root as the user gave it).

    Read from the registry: a kind that references one resource with a text (a config's prompt) and a
    list of others (its tools) is checked against what that text says."""

    def problem(res: DesiredResource, pointer: str, message: str, hint: str, rule: str) -> Problem:
        file, line, col = _where(res, pointer)
        shown = file if display in ("", ".") else os.path.normpath(os.path.join(display, file))
        return Problem(shown, line, col, message, hint, rule, "warning")

    prefix = manifests.name_prefix

    def bare(name: str) -> str:  # as people write it in a prompt: without the environment's prefix
        return name[len(prefix) :] if prefix and name.startswith(prefix) else name

    found: list[Problem] = []
    for kind in KINDS.values():
        texts = [r for r in kind.references if not r.many and _text_field(r.target)]
        lists = [r for r in kind.references if r.many]
        if not texts or not lists:
            continue
        by_name = {r.target: {d.name: d for d in manifests.of_kind(r.target)} for r in (*texts, *lists)}
        mentions = {r.target: _Mentions(by_name[r.target], bare) for r in lists}
        for res in manifests.of_kind(kind.name):
            ignored = set(res.ignore_warnings)
            for text_ref in texts:
                [holder_name, *_] = _ref_names(res.spec.get(text_ref.field)) or [""]
                holder = by_name[text_ref.target].get(holder_name)
                text = holder.spec.get(_text_field(text_ref.target) or "") if holder is not None else None
                if holder is None or not isinstance(text, str):
                    continue
                what = f"{text_ref.target} '{bare(holder.name)}'"
                for many in lists:
                    attached = _ref_names(res.spec.get(many.field))
                    if TOOL_NOT_ATTACHED not in ignored:
                        for name in sorted(mentions[many.target](text) - set(attached)):
                            found.append(
                                problem(
                                    res,
                                    f"/{many.field}" if many.field in res.spec else "",
                                    f"{what} names the {many.target} '{bare(name)}', which {kind.name} '{res.name}' "
                                    "does not attach",
                                    f"attach it ({many.field}: [..., {bare(name)}]) or reword the {text_ref.target}; "
                                    f"ignore_warnings: [{TOOL_NOT_ATTACHED}] on the {kind.name} silences this",
                                    TOOL_NOT_ATTACHED,
                                )
                            )
                    if TOOL_NOT_MENTIONED in ignored:
                        continue
                    for i, name in enumerate(attached):
                        other = by_name[many.target].get(name)
                        if other is None or other.spec.get("description") or name in mentions[many.target](text):
                            continue
                        found.append(
                            problem(
                                res,
                                f"/{many.field}/{i}",
                                f"{kind.name} '{res.name}' attaches the {many.target} '{bare(name)}', which its {what} "
                                "never mentions and which has no description",
                                f"give {many.target} '{bare(name)}' a description, or say in the "
                                f"{text_ref.target} when to use it; ignore_warnings: [{TOOL_NOT_MENTIONED}] on the "
                                f"{kind.name} silences this",
                                TOOL_NOT_MENTIONED,
                            )
                        )
    return found


def prompt_placeholders(manifests: ManifestSet) -> dict[str, list[str]]:
    """``address -> its {{placeholder}} names`` for every resource with a text (every prompt)."""
    out: dict[str, list[str]] = {}
    for kind in KINDS.values():
        field = _text_field(kind.name)
        if field is None:
            continue
        for res in sorted(manifests.of_kind(kind.name), key=lambda r: r.name):
            text = res.spec.get(field)
            out[res.address] = placeholders(text) if isinstance(text, str) else []
    return out
