"""Read one YAML file safely into plain data, keeping the line and column of every node.

Safety is the point of this module: every limit below turns hostile or broken input into one
located :class:`~humectl.core.errors.Problem` instead of a hang, a memory blow-up or a traceback.

* files larger than :data:`MAX_FILE_BYTES` are refused before they are read;
* a NUL byte or invalid UTF-8 means "not a text file";
* the composed node graph is measured before it is converted: aliases make it a DAG, so a
  "billion laughs" file is tiny on disk but huge when expanded; more than
  :data:`MAX_EXPANDED_NODES` nodes after alias expansion, or an alias that contains itself, is
  refused in time proportional to the file, not to the expansion;
* nesting deeper than :data:`MAX_DEPTH` is refused (libyaml stops at 1000 anyway).

Conversion is done here rather than by PyYAML's constructor so that positions survive and so
that: keys are always the text written (``on:`` stays the key "on", not True), duplicate keys
are reported (YAML forbids them; PyYAML silently keeps the last), merge keys (``<<``) work,
timestamps stay strings, unknown tags and non-finite numbers are refused, and ``${var}``
references in string values are substituted with the scalar's own position for errors.

Two paths give the same result. The fast one builds the data straight from the parser's events and
handles only the plain case: no anchor, alias, tag or merge key, no duplicate key, no problem at all,
within the limits. It records the positions of the top two levels (the lists and their entries);
the position of anything deeper is worked out by the exact path the first time it is asked for (a
problem to locate, ``Document.marks``). Anything else (including every error) takes the exact path
from the start: compose the node graph, measure it, convert it while recording every position.
"""

from __future__ import annotations

import difflib
import errno
import functools
import math
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.events import (
    DocumentEndEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from humectl.core.codepoints import describe
from humectl.core.errors import Problem
from humectl.load import variables as varmod

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_EXPANDED_NODES = 500_000
MAX_DEPTH = 200

_Loader: type[Any] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# The events alone (no composer, resolver or constructor): libyaml's parser where PyYAML has it.
_EventParser: Any
try:
    from yaml.cyaml import CParser as _EventParser  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    _EventParser = yaml.SafeLoader
_STR = "tag:yaml.org,2002:str"
_SCALAR_TAGS = {
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
}
_MERGE = "tag:yaml.org,2002:merge"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"


@dataclass
class Document:
    """One YAML file as plain data, with the (line, col) of each node by JSON pointer (1-based)."""

    path: Path
    rel: str  # relative to the manifest root, '/'-separated (Source.file)
    display: str  # how problems name the file (as the user would open it)
    data: Any = None
    suppressed: set[str] = field(default_factory=set)  # pointers already reported (bad ${...}, tag): no schema noise
    # After a fast parse these hold the top two levels only, and ``_complete`` works out the rest.
    _marks: dict[str, tuple[int, int]] = field(default_factory=dict, repr=False)
    _key_marks: dict[str, tuple[int, int]] = field(default_factory=dict, repr=False)
    _complete: Callable[[], Document] | None = field(default=None, repr=False, compare=False)

    @property
    def marks(self) -> dict[str, tuple[int, int]]:
        """The position of every node, by JSON pointer."""
        self._fill()
        return self._marks

    @property
    def key_marks(self) -> dict[str, tuple[int, int]]:
        """The position of every mapping key, by the JSON pointer of its value."""
        self._fill()
        return self._key_marks

    def _fill(self) -> None:
        if self._complete is not None:
            exact, self._complete = self._complete(), None
            self._marks, self._key_marks = exact._marks, exact._key_marks

    def position(self, pointer: str, *, key: bool = False) -> tuple[int, int]:
        """The position of ``pointer`` (its key when ``key``), else of its nearest located ancestor."""
        if not key and pointer in self._marks:
            return self._marks[pointer]  # exact, even while only the top levels are known
        if key and pointer in self.key_marks:
            return self.key_marks[pointer]
        marks = self.marks
        while True:
            if pointer in marks:
                return marks[pointer]
            if not pointer:
                return (1, 1)
            pointer = pointer.rsplit("/", 1)[0]

    def problem(
        self,
        pointer: str,
        message: str,
        hint: str | None = None,
        *,
        rule: str,
        severity: str = "error",
        key: bool = False,
    ) -> Problem:
        line, col = self.position(pointer, key=key)
        return Problem(self.display, line, col, message, hint, rule, severity)


def read_text(path: Path, display: str, *, what: str = "manifest") -> tuple[str | None, Problem | None]:
    """The UTF-8 text of ``path``, or a one-line problem saying why it cannot be used."""
    try:
        size = path.stat().st_size
        if not path.is_file():
            return None, Problem(display, 0, 0, f"{what} is not a regular file", rule="file")
        if size > MAX_FILE_BYTES:
            return None, Problem(
                display,
                0,
                0,
                f"{what} is {size / 1024 / 1024:.1f} MB, over the {MAX_FILE_BYTES // (1024 * 1024)} MB limit",
                "split it into smaller files; no real manifest comes near this size",
                rule="file-too-large",
            )
        with path.open("rb") as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        return None, Problem(display, 0, 0, _os_error_text(exc, what), rule="file")
    if len(raw) > MAX_FILE_BYTES:  # grew while we looked, or a special file
        return None, Problem(display, 0, 0, f"{what} is over the size limit", rule="file-too-large")
    if b"\x00" in raw:
        return None, Problem(
            display, 0, 0, f"{what} is a binary file (it contains NUL bytes), not UTF-8 text", rule="binary"
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return None, Problem(
            display,
            line,
            0,
            f"{what} is not valid UTF-8 text (byte 0x{raw[exc.start]:02x} at offset {exc.start})",
            "save the file as UTF-8",
            rule="encoding",
        )
    return text.removeprefix("\ufeff"), None


def _os_error_text(exc: OSError, what: str) -> str:

    if exc.errno == errno.ELOOP:
        return f"{what} is a symlink loop"
    if exc.errno == errno.ENOENT:
        return f"{what} does not exist (or is a broken symlink)"
    if exc.errno == errno.EACCES:
        return f"{what} cannot be read: permission denied"
    return f"{what} cannot be read: {exc.strerror or exc}"


def parse(
    text: str,
    *,
    path: Path,
    rel: str,
    display: str,
    variables: Mapping[str, str] | None,
) -> tuple[Document, list[Problem]]:
    """Convert ``text``; ``variables`` None means no ``${...}`` substitution at all."""
    return _document(text, path, rel, display, variables, _fast_result(text, variables))


def parse_many(
    items: Sequence[tuple[str, Path, str, str]], *, variables: Mapping[str, str] | None
) -> list[tuple[Document, list[Problem]]]:
    """:func:`parse` of each ``(text, path, rel, display)``."""
    return [parse(text, path=path, rel=rel, display=display, variables=variables) for text, path, rel, display in items]


_Fast = tuple[Any, dict[str, tuple[int, int]], dict[str, tuple[int, int]]]


def _fast_result(text: str, variables: Mapping[str, str] | None) -> _Fast | None:
    """The fast path's data and top-level positions (marks, key marks), or None: the exact path's."""
    marks: dict[str, tuple[int, int]] = {}
    key_marks: dict[str, tuple[int, int]] = {}
    data = _fast_convert(text, variables, marks, key_marks)
    return None if data is _BAIL else (data, marks, key_marks)


def _document(
    text: str, path: Path, rel: str, display: str, variables: Mapping[str, str] | None, fast: _Fast | None
) -> tuple[Document, list[Problem]]:
    doc = Document(path=path, rel=rel, display=display)
    if fast is None:
        return _parse_exact(doc, text, variables)
    doc.data, doc._marks, doc._key_marks = fast
    doc._complete = functools.partial(_exact_document, text, path, rel, display, variables)
    return doc, []


def lazy_document(
    text: str,
    *,
    path: Path,
    rel: str,
    display: str,
    variables: Mapping[str, str] | None,
    marks: dict[str, tuple[int, int]],
    key_marks: dict[str, tuple[int, int]],
) -> Document:
    """A document known by the marks a fast parse gave (a cached load): its exact positions are worked
    out from ``text`` when first asked for, as for a document just parsed. It holds no data."""
    doc = Document(path=path, rel=rel, display=display)
    doc._marks, doc._key_marks = marks, key_marks
    doc._complete = functools.partial(_exact_document, text, path, rel, display, variables)
    return doc


def _exact_document(text: str, path: Path, rel: str, display: str, variables: Mapping[str, str] | None) -> Document:
    return _parse_exact(Document(path=path, rel=rel, display=display), text, variables)[0]


def _parse_exact(doc: Document, text: str, variables: Mapping[str, str] | None) -> tuple[Document, list[Problem]]:
    """Compose ``text``, measure the node graph, convert it recording every position and problem."""
    display = doc.display
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark is not None else (0, 0)
        what = " ".join(p for p in (exc.context, exc.problem) if p) or "invalid YAML"
        return doc, [Problem(display, line, col, f"YAML syntax error: {what}", _yaml_hint(what), "yaml")]
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow raw in a file
        line = text.count("\n", 0, exc.position) + 1
        col = exc.position - (text.rfind("\n", 0, exc.position) + 1) + 1
        code = exc.character if isinstance(exc.character, int) else 0
        hint = f'remove it, or write it as the escape "\\u{code:04x}" inside a double-quoted string'
        what = describe(chr(code))
        return doc, [Problem(display, line, col, f"YAML does not allow {what} in a file", hint, "yaml")]
    except yaml.YAMLError as exc:
        return doc, [Problem(display, 0, 0, f"YAML error: {exc}", rule="yaml")]
    except RecursionError:
        return doc, [Problem(display, 0, 0, "YAML nesting is too deep", rule="yaml-limits")]
    if node is None:  # an empty file (or only comments)
        return doc, []
    problem = _check_size(node, display)
    if problem is not None:
        return doc, [problem]
    converter = _Converter(doc, variables)
    doc.data = converter.convert(node, "", 0)
    return doc, converter.problems


_BAIL: Any = object()  # the fast path's "not mine": the exact path decides
_SHALLOW = 2  # the fast path records the positions of nodes this deep: "", "/configs", "/configs/0"
_KEY = object()  # a mapping's slot while it waits for its next key


def _fast_convert(
    text: str,
    variables: Mapping[str, str] | None,
    marks: dict[str, tuple[int, int]],
    key_marks: dict[str, tuple[int, int]],
) -> Any:
    """The data of a plain document straight from the parser's events, or _BAIL for anything else."""
    parser = _EventParser(text)
    try:
        return _from_events(parser.get_event, variables, marks, key_marks)
    except (yaml.YAMLError, RecursionError, ValueError):  # ValueError: an integer over 4,300 digits
        return _BAIL  # the exact path reports it, with the same words
    finally:
        parser.dispose()


def _from_events(
    next_event: Callable[[], Any],
    variables: Mapping[str, str] | None,
    marks: dict[str, tuple[int, int]],
    key_marks: dict[str, tuple[int, int]],
) -> Any:
    next_event()  # StreamStartEvent
    event = next_event()
    if type(event) is StreamEndEvent:
        return None  # an empty file (or only comments)
    resolvers = _implicit_resolvers()
    plain: dict[str, Any] = {}  # plain scalar as written -> its value (most repeat: true, 3, ITO, ...)
    nodes = 0
    # One frame per open collection: [container, pointer of its children or None, depth, slot], where
    # slot is None in a list, and in a mapping _KEY (waiting for a key) or the key whose value comes.
    frame: list[Any] | None = None
    parents: list[list[Any] | None] = []
    root: Any = None
    while True:
        event = next_event()
        kind = type(event)
        if kind is ScalarEvent:
            nodes += 1
            if event.anchor is not None or event.tag is not None:
                return _BAIL
            if frame is not None and frame[3] is _KEY:  # the next key of a mapping
                key = event.value
                if key in frame[0] or (key == "<<" and event.implicit[0]):
                    return _BAIL  # a duplicate key, a merge key
                frame[3] = key
                if frame[1] is not None:
                    mark = event.start_mark
                    key_marks[f"{frame[1]}/{_escape(key)}"] = (mark.line + 1, mark.column + 1)
                continue
            slot = None if frame is None else frame[3]
            value = event.value
            if event.implicit[0]:  # plain: what the YAML 1.1 resolver makes of it
                known = plain.get(value, _KEY)
                if known is _KEY:
                    known = plain[value] = _plain_value(value, resolvers)
                if known is _BAIL:
                    return _BAIL
                value = known
            if type(value) is str and variables is not None and varmod.has_reference(value):
                result = varmod.substitute(value, variables)
                if not result.ok:
                    return _BAIL
                whole = not event.style and varmod.WHOLE_REFERENCE_RE.match(value)
                value = _retyped(result.text) if whole else result.text
        elif kind is MappingStartEvent or kind is SequenceStartEvent:
            nodes += 1
            if event.anchor is not None or event.tag is not None:
                return _BAIL
            slot = None if frame is None else frame[3]
            if slot is _KEY:
                return _BAIL  # a list or mapping as a key
            depth = 0 if frame is None else frame[2] + 1
            if depth >= MAX_DEPTH:
                return _BAIL  # (its items would be too deep: the exact path says where)
            value = {} if kind is MappingStartEvent else []
        elif kind is MappingEndEvent or kind is SequenceEndEvent:
            frame = parents.pop()
            continue
        elif kind is DocumentEndEvent:
            break
        else:
            return _BAIL  # an alias
        # Place the node in its parent, recording its position when it is near the top.
        if frame is None:
            root = value
            pointer: str | None = ""
        else:
            parent = frame[1]
            container = frame[0]
            if slot is None:
                pointer = None if parent is None else f"{parent}/{len(container)}"
                container.append(value)
            else:
                pointer = None if parent is None else f"{parent}/{_escape(slot)}"
                container[slot] = value
                frame[3] = _KEY
        if pointer is not None:
            mark = event.start_mark
            marks[pointer] = (mark.line + 1, mark.column + 1)
        if kind is not ScalarEvent:
            parents.append(frame)
            frame = [value, pointer if depth < _SHALLOW else None, depth, _KEY if kind is MappingStartEvent else None]
    if nodes > MAX_EXPANDED_NODES or type(next_event()) is not StreamEndEvent:
        return _BAIL  # too big (the exact path says so), or a second document
    return root


def _plain_value(value: str, resolvers: dict[Any, tuple[tuple[str, Any], ...]]) -> Any:
    """A plain scalar as data, or _BAIL when it is something the exact path reports (inf, nan, ``=``)."""
    for tag, regexp in resolvers.get(value[:1], resolvers[None]):
        if regexp.match(value):
            if tag in _SCALAR_TAGS:
                data = _construct(tag, value)
                return _BAIL if isinstance(data, float) and not math.isfinite(data) else data
            return value if tag == _TIMESTAMP else _BAIL  # a timestamp stays the string written
    return value


def _implicit_resolvers() -> dict[Any, tuple[tuple[str, Any], ...]]:
    """What PyYAML's Resolver tries on a plain scalar, by its first character (wildcards included)."""
    table = yaml.resolver.Resolver.yaml_implicit_resolvers
    wildcard = tuple(table.get(None, ()))
    found: dict[Any, tuple[tuple[str, Any], ...]] = {k: (*v, *wildcard) for k, v in table.items() if k is not None}
    found[None] = wildcard
    return found


_CONSTRUCTOR = yaml.SafeLoader("")  # only its scalar constructors are used (they keep no state)


def _construct(tag: str, value: str) -> Any:
    """A plain scalar of an int/float/bool/null tag as Python data, as PyYAML's SafeLoader builds it."""
    return type(_CONSTRUCTOR).yaml_constructors[tag](_CONSTRUCTOR, ScalarNode(tag, value))


def _retyped(text: str) -> Any:
    """An unquoted lone ${name} takes the YAML type of its value (numbers, booleans)."""
    tag = _RESOLVER.resolve(ScalarNode, text, (True, False))
    if tag in _SCALAR_TAGS:
        try:
            value = _construct(tag, text)
        except ValueError:  # a number too large to convert: it stays the text it is
            return text
        if not (isinstance(value, float) and not math.isfinite(value)):
            return value
    return text


_RESOLVER = yaml.resolver.Resolver()


def _yaml_hint(what: str) -> str | None:
    if "expected a single document" in what:
        return "one YAML document per file: remove the extra '---' or split the file"
    if "tab" in what:
        return "indent with spaces, not tabs"
    if "mapping values are not allowed" in what:
        return "a value containing ': ' needs quotes"
    if "could not find expected ':'" in what:
        return "check the indentation and that every key ends with ':'"
    if "found character '@'" in what or "found character '`'" in what:
        return "values starting with @ or ` need quotes"
    return None


def _check_size(root: Node, display: str) -> Problem | None:
    """Refuse alias bombs and self-containing aliases in O(distinct nodes), before any expansion."""
    sizes: dict[int, int] = {}
    in_progress: set[int] = set()
    # Iterative post-order walk so neither deep nesting nor long alias chains recurse in Python.
    stack: list[tuple[Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        if children_done:
            total = 1
            for child in _children(node):
                total += sizes[id(child)]
                if total > MAX_EXPANDED_NODES:
                    break
            in_progress.discard(key)
            sizes[key] = total
            if total > MAX_EXPANDED_NODES:
                line, col = node.start_mark.line + 1, node.start_mark.column + 1
                return Problem(
                    display,
                    line,
                    col,
                    f"YAML expands to more than {MAX_EXPANDED_NODES:,} nodes through aliases (an alias bomb?)",
                    "use fewer nested aliases (&anchor / *alias)",
                    "yaml-limits",
                )
            continue
        if key in sizes:
            continue
        if key in in_progress:
            line, col = node.start_mark.line + 1, node.start_mark.column + 1
            return Problem(
                display, line, col, "YAML alias refers to a node that contains it (recursive alias)", rule="yaml"
            )
        in_progress.add(key)
        stack.append((node, True))
        for child in _children(node):
            if id(child) not in sizes:
                if id(child) in in_progress:
                    line, col = child.start_mark.line + 1, child.start_mark.column + 1
                    return Problem(
                        display,
                        line,
                        col,
                        "YAML alias refers to a node that contains it (recursive alias)",
                        rule="yaml",
                    )
                stack.append((child, False))
    return None


def _children(node: Node) -> list[Node]:
    if isinstance(node, SequenceNode):
        return list(node.value)
    if isinstance(node, MappingNode):
        return [n for pair in node.value for n in pair]
    return []


class _Converter:
    """Nodes -> plain data, recording positions and problems (never raising)."""

    def __init__(self, doc: Document, variables: Mapping[str, str] | None) -> None:
        self.doc = doc
        self.variables = variables
        self.problems: list[Problem] = []
        self.constructor = yaml.SafeLoader("")  # only used to construct plain scalars

    def _problem(self, node: Node, message: str, hint: str | None = None, rule: str = "yaml") -> None:
        mark = node.start_mark
        self.problems.append(Problem(self.doc.display, mark.line + 1, mark.column + 1, message, hint, rule))

    def convert(self, node: Node, pointer: str, depth: int) -> Any:
        self.doc._marks.setdefault(pointer, (node.start_mark.line + 1, node.start_mark.column + 1))
        if depth > MAX_DEPTH:
            self._problem(node, f"YAML is nested more than {MAX_DEPTH} levels deep", rule="yaml-limits")
            return None
        if isinstance(node, ScalarNode):
            return self._scalar(node, pointer)
        if isinstance(node, SequenceNode):
            if node.tag != _SEQ:
                self._problem(node, f"unsupported YAML tag {node.tag}", "remove the tag")
            return [self.convert(item, f"{pointer}/{i}", depth + 1) for i, item in enumerate(node.value)]
        if isinstance(node, MappingNode):
            if node.tag != _MAP:
                self._problem(node, f"unsupported YAML tag {node.tag}", "remove the tag")
            return self._mapping(node, pointer, depth)
        self._problem(node, "unsupported YAML node")  # pragma: no cover - composer gives only the three
        return None

    def _key(self, node: Node) -> str | None:
        if not isinstance(node, ScalarNode):
            self._problem(node, "a mapping key must be a plain value, not a list or mapping")
            return None
        return str(node.value)  # the key as written: `on:` is "on", `1:` is "1"

    def _mapping(self, node: MappingNode, pointer: str, depth: int) -> dict[str, Any]:
        result: dict[str, Any] = {}
        first_seen: dict[str, Node] = {}
        merges: list[Node] = []
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE:
                merges.append(value_node)
                continue
            key = self._key(key_node)
            if key is None:
                continue
            if key in first_seen:
                line = first_seen[key].start_mark.line + 1
                self._problem(key_node, f"duplicate key '{key}' (first set on line {line})", "remove one of them")
                continue
            first_seen[key] = key_node
            child = f"{pointer}/{_escape(key)}"
            self.doc._key_marks.setdefault(child, (key_node.start_mark.line + 1, key_node.start_mark.column + 1))
            result[key] = self.convert(value_node, child, depth + 1)
        # Merged keys (<<) come after the explicit ones so explicit values and positions win.
        merged: dict[str, Any] = {}
        for value_node in merges:
            self._merge(value_node, pointer, depth, merged)
        for key, value in merged.items():
            result.setdefault(key, value)
        return result

    def _merge(self, value_node: Node, pointer: str, depth: int, merged: dict[str, Any]) -> None:
        sources = value_node.value if isinstance(value_node, SequenceNode) else [value_node]
        for source in sources:
            if not isinstance(source, MappingNode):
                self._problem(source, "a merge key (<<) takes a mapping or a list of mappings")
                continue
            # Position merged values at the anchored mapping they come from.
            values = self._mapping(source, pointer, depth + 1)
            for key, value in values.items():
                merged.setdefault(key, value)  # earlier mappings in the list win

    def _scalar(self, node: ScalarNode, pointer: str) -> Any:
        tag = node.tag
        if tag == _STR:
            return self._string(node, pointer)
        if tag == _TIMESTAMP:
            return str(node.value)  # a date-looking string is still just a string here
        if tag in _SCALAR_TAGS:
            try:
                value = self.constructor.construct_object(node)
            except ValueError:  # an integer over Python's 4,300-digit limit for conversions
                self.doc.suppressed.add(pointer)
                digits = sum(c.isdigit() for c in str(node.value))
                self._problem(node, f"a number of {digits:,} digits is too large", "quote it if it is text")
                return None
            if isinstance(value, float) and not math.isfinite(value):
                self.doc.suppressed.add(pointer)
                self._problem(node, f"{node.value!r} is not a finite number", "use an ordinary number")
                return None
            return value
        self.doc.suppressed.add(pointer)
        self._problem(node, f"unsupported YAML tag {tag}", "remove the tag; manifests hold plain data only")
        return None

    def _string(self, node: ScalarNode, pointer: str) -> Any:
        text = str(node.value)
        if self.variables is None or not varmod.has_reference(text):
            return text
        result = varmod.substitute(text, self.variables)
        if not result.ok:
            self.doc.suppressed.add(pointer)
            for name in dict.fromkeys(result.undefined):
                close = _close(name, self.variables)
                hint = (
                    f"did you mean ${{{close}}}?"
                    if close
                    else f"set it with --var {name}=..., a --var-file, {varmod.ENV_PREFIX}{name} "
                    "or the variables of humectl.yaml"
                )
                self._problem(node, f"undefined variable ${{{name}}}", hint, rule="undefined-variable")
            for token in dict.fromkeys(result.malformed):
                self._problem(
                    node,
                    f"malformed variable reference {token!r}",
                    "write ${name} (letters, digits, _), or $${ for a literal ${",
                    rule="variable-syntax",
                )
            return result.text
        if not node.style and varmod.WHOLE_REFERENCE_RE.match(text):
            return _retyped(result.text)
        return result.text


def _close(name: str, variables: Mapping[str, str]) -> str | None:

    found = difflib.get_close_matches(name, list(variables), n=1, cutoff=0.7)
    return found[0] if found else None


def _escape(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


def relative_display(root_display: str, rel: str) -> str:
    """How a file under the root is named in problems: the root as the user gave it, joined."""
    if root_display in ("", "."):
        return rel
    return os.path.join(root_display, rel)
