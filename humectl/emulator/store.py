"""SQLite persistence for the emulator: versioned resources (prompts, tools, configs), custom voices, chats.

One connection per store, shared by every request (``check_same_thread=False``) and serialised by a
lock: the app calls the store synchronously from the event loop and never awaits while holding the
lock, so one event loop in process and uvicorn in a thread both work. Every write commits at once,
so a file database written by one run is what the next run (another process) reads.

Versions are stored as JSON "content" (the fields that make a version, already normalised by the
handlers); rendering to Hume's wire shape is the handlers' job, not the store's.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_SCHEMA = """
CREATE TABLE IF NOT EXISTS resources (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,   -- creation order: the order every list answers in
    id TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,                      -- "prompt" | "tool" | "config"
    name TEXT NOT NULL,
    created_on INTEGER NOT NULL,             -- epoch ms of version 0
    next_version INTEGER NOT NULL            -- never reused, even after deleting the latest version
);
-- Lists walk one kind in creation order: page through this index instead of sorting every row.
CREATE INDEX IF NOT EXISTS resources_kind_seq ON resources(kind, seq);
CREATE TABLE IF NOT EXISTS versions (
    resource_id TEXT NOT NULL REFERENCES resources(id) ON DELETE CASCADE,
    version INTEGER NOT NULL,
    version_description TEXT,
    modified_on INTEGER NOT NULL,            -- epoch ms when this version was created
    content TEXT NOT NULL,                   -- JSON of the version's own fields
    PRIMARY KEY (resource_id, version)
);
CREATE TABLE IF NOT EXISTS voices (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL UNIQUE,
    generation_id TEXT NOT NULL,
    created_on INTEGER NOT NULL
);
-- Voice Library voices a seed added (or re-identified) beyond humectl/catalog/voices.json.
CREATE TABLE IF NOT EXISTS library_voices (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL UNIQUE
);
CREATE TABLE IF NOT EXISTS chats (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    chat_group_id TEXT NOT NULL,
    start_timestamp INTEGER NOT NULL,
    body TEXT NOT NULL                       -- JSON ReturnChat (seeded through /_emulator/seed)
);
CREATE TABLE IF NOT EXISTS chat_events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    chat_id TEXT NOT NULL,
    timestamp INTEGER NOT NULL,
    body TEXT NOT NULL                       -- JSON ReturnChatEvent
);
"""

_TABLES = ("versions", "resources", "voices", "library_voices", "chat_events", "chats")


_INT64_MAX = 2**63 - 1


def _fits(number: int) -> bool:
    """SQLite integers are 64-bit; a larger version or offset can match nothing (and must not crash)."""
    return -_INT64_MAX <= number <= _INT64_MAX


def now_ms() -> int:
    """Hume's timestamps are epoch milliseconds in practice (every official example is 13 digits)."""
    return int(time.time() * 1000)


@dataclass(frozen=True)
class VersionRow:
    """One version of a prompt, tool or config, with its resource-level fields."""

    id: str
    kind: str
    name: str
    created_on: int
    version: int
    version_description: str | None
    modified_on: int
    content: dict[str, Any]


@dataclass(frozen=True)
class VoiceRow:
    id: str
    name: str
    generation_id: str
    created_on: int


class DuplicateNameError(Exception):
    """Another resource of the same kind already has this name."""


class IdTakenError(Exception):
    """A seeded resource or voice brings an id the account already holds."""


class Store:
    """The emulator's whole account, in one SQLite database (``:memory:`` or a file)."""

    def __init__(self, db: str = ":memory:", *, allow_duplicate_names: bool = False) -> None:
        if db != ":memory:":
            # The engine's default is .humectl/emulator.sqlite3: create the folder on first use.
            Path(db).expanduser().parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()
        self._in_transaction = False
        self._db = db
        self._closed = False
        # isolation_level=None: we issue BEGIN ourselves so that each write is one short transaction.
        self._conn = sqlite3.connect(db, check_same_thread=False, isolation_level=None, timeout=10.0)
        self._conn.row_factory = sqlite3.Row
        self._conn.execute("PRAGMA foreign_keys = ON")
        if db != ":memory:":
            # Several humectl processes may share one file DB; WAL lets readers run beside a writer.
            self._conn.execute("PRAGMA journal_mode = WAL")
        self._conn.executescript(_SCHEMA)
        # Whether Hume allows two resources of one kind with one name is undocumented; the emulator
        # rejects it by default and can allow it, so clients can be tested against such accounts.
        self.allow_duplicate_names = allow_duplicate_names
        if allow_duplicate_names:
            self._conn.executescript(
                "DROP INDEX IF EXISTS resources_kind_name;"
                "CREATE INDEX IF NOT EXISTS resources_kind_name_any ON resources(kind, name);"
            )
        else:
            # Names are unique per kind (docs/emulator.md); the index makes it hold across processes.
            # A file that already holds duplicates (made with allow_duplicate_names) keeps working:
            # the handlers still refuse new duplicates.
            try:
                self._conn.execute("CREATE UNIQUE INDEX IF NOT EXISTS resources_kind_name ON resources(kind, name)")
            except sqlite3.IntegrityError:
                self._conn.execute("CREATE INDEX IF NOT EXISTS resources_kind_name_any ON resources(kind, name)")

    def close(self) -> None:
        """Close the database (again is a no-op). The last connection to a file closes with the
        write-ahead log checkpointed into the file, so the file alone holds the account."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            if self._db != ":memory:":
                with contextlib.suppress(sqlite3.Error):  # another process may hold the log: it checkpoints
                    self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            self._conn.close()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction; IMMEDIATE so two processes never both allocate the same version.

        Inside :meth:`transaction` it joins the open transaction instead, so a batch commits as one.
        """
        with self._lock:
            if self._in_transaction:
                yield self._conn
                return
            self._conn.execute("BEGIN IMMEDIATE")
            self._in_transaction = True
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            else:
                self._conn.execute("COMMIT")
            finally:
                self._in_transaction = False

    def transaction(self) -> contextlib.AbstractContextManager[sqlite3.Connection]:
        """All or nothing: every write (and read) in the block is one transaction (seeding uses it)."""
        return self._write()

    def _read(self, sql: str, params: tuple[Any, ...] = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self._conn.execute(sql, params).fetchall()

    def reset(self) -> None:
        """Empty the account (admin ``POST /_emulator/reset``)."""
        with self._write() as conn:
            for table in _TABLES:
                conn.execute(f"DELETE FROM {table}")  # fixed table names, not input

    # ---- versioned resources -------------------------------------------------------------------

    _VERSION_SELECT = (
        "SELECT r.id, r.kind, r.name, r.created_on, v.version, v.version_description, v.modified_on, v.content "
        "FROM versions v JOIN resources r ON r.id = v.resource_id "
    )

    @staticmethod
    def _version_row(row: sqlite3.Row) -> VersionRow:
        return VersionRow(
            id=row["id"],
            kind=row["kind"],
            name=row["name"],
            created_on=row["created_on"],
            version=row["version"],
            version_description=row["version_description"],
            modified_on=row["modified_on"],
            content=json.loads(row["content"]),
        )

    def create_resource(
        self, kind: str, name: str, content: dict[str, Any], version_description: str | None
    ) -> VersionRow:
        """Create a resource with its version 0; raise DuplicateNameError if the name is taken."""
        rid = str(uuid.uuid4())
        ts = now_ms()
        with self._write() as conn:
            try:
                conn.execute(
                    "INSERT INTO resources (id, kind, name, created_on, next_version) VALUES (?, ?, ?, ?, 1)",
                    (rid, kind, name, ts),
                )
            except sqlite3.IntegrityError as exc:
                raise DuplicateNameError(name) from exc
            conn.execute(
                "INSERT INTO versions (resource_id, version, version_description, modified_on, content) "
                "VALUES (?, 0, ?, ?, ?)",
                (rid, version_description, ts, json.dumps(content)),
            )
        return VersionRow(rid, kind, name, ts, 0, version_description, ts, content)

    def create_version(
        self, kind: str, rid: str, content: dict[str, Any], version_description: str | None
    ) -> VersionRow | None:
        """Add the next version (numbers are never reused); None if the resource does not exist."""
        ts = now_ms()
        with self._write() as conn:
            row = conn.execute(
                "SELECT name, created_on, next_version FROM resources WHERE id = ? AND kind = ?", (rid, kind)
            ).fetchone()
            if row is None:
                return None
            version = row["next_version"]
            conn.execute("UPDATE resources SET next_version = ? WHERE id = ?", (version + 1, rid))
            conn.execute(
                "INSERT INTO versions (resource_id, version, version_description, modified_on, content) "
                "VALUES (?, ?, ?, ?, ?)",
                (rid, version, version_description, ts, json.dumps(content)),
            )
        return VersionRow(rid, kind, row["name"], row["created_on"], version, version_description, ts, content)

    def seed_resource(
        self,
        kind: str,
        rid: str,
        name: str,
        created_on: int,
        versions: list[tuple[int, str | None, int, dict[str, Any]]],
    ) -> None:
        """A resource with the given id and ``(version, version_description, modified_on, content)`` versions.

        Numbers are kept as given (gaps too); the next new version is one past the highest. IdTakenError
        when the id is held by anything, DuplicateNameError when the name is taken in the kind.
        """
        with self._write() as conn:
            if conn.execute("SELECT 1 FROM resources WHERE id = ?", (rid,)).fetchone():
                raise IdTakenError(rid)
            if (
                not self.allow_duplicate_names
                and conn.execute("SELECT 1 FROM resources WHERE kind = ? AND name = ?", (kind, name)).fetchone()
            ):
                raise DuplicateNameError(name)
            try:
                conn.execute(
                    "INSERT INTO resources (id, kind, name, created_on, next_version) VALUES (?, ?, ?, ?, ?)",
                    (rid, kind, name, created_on, max(v[0] for v in versions) + 1),
                )
            except sqlite3.IntegrityError as exc:
                raise DuplicateNameError(name) from exc
            conn.executemany(
                "INSERT INTO versions (resource_id, version, version_description, modified_on, content) "
                "VALUES (?, ?, ?, ?, ?)",
                [(rid, v, d, m, json.dumps(c)) for v, d, m, c in versions],
            )

    def id_for_name(self, kind: str, name: str) -> str | None:
        rows = self._read("SELECT id FROM resources WHERE kind = ? AND name = ?", (kind, name))
        return str(rows[0]["id"]) if rows else None

    def resource_exists(self, kind: str, rid: str) -> bool:
        return bool(self._read("SELECT 1 FROM resources WHERE id = ? AND kind = ?", (rid, kind)))

    def get_version(self, kind: str, rid: str, version: int) -> VersionRow | None:
        if not _fits(version):
            return None
        rows = self._read(
            self._VERSION_SELECT + "WHERE r.kind = ? AND r.id = ? AND v.version = ?", (kind, rid, version)
        )
        return self._version_row(rows[0]) if rows else None

    def latest_version(self, kind: str, rid: str) -> VersionRow | None:
        """The highest existing version ("latest" after the newest was deleted is the one before it)."""
        rows = self._read(
            self._VERSION_SELECT + "WHERE r.kind = ? AND r.id = ? ORDER BY v.version DESC LIMIT 1", (kind, rid)
        )
        return self._version_row(rows[0]) if rows else None

    def list_versions(
        self,
        kind: str,
        *,
        rid: str | None = None,
        name: str | None = None,
        most_recent: bool = True,
        offset: int = 0,
        limit: int = 10,
    ) -> tuple[list[VersionRow], int]:
        """One page of versions in creation order (resource, then version), and the total count."""
        where = ["r.kind = ?"]
        params: list[Any] = [kind]
        if rid is not None:
            where.append("r.id = ?")
            params.append(rid)
        if name is not None:
            where.append("r.name = ?")
            params.append(name)
        if most_recent:
            # One head per resource that has a version: count resources, not versions.
            has_version = "EXISTS (SELECT 1 FROM versions v2 WHERE v2.resource_id = r.id)"
            count_sql = "SELECT COUNT(*) FROM resources r WHERE " + " AND ".join([*where, has_version])
            where.append("v.version = (SELECT MAX(v2.version) FROM versions v2 WHERE v2.resource_id = v.resource_id)")
        clause = "WHERE " + " AND ".join(where)
        if not most_recent:
            count_sql = "SELECT COUNT(*) FROM versions v JOIN resources r ON r.id = v.resource_id " + clause
        # Sort and cut the page on keys only, then read the content of that page's rows alone.
        page_sql = (
            "WITH page AS (SELECT v.resource_id AS rid, v.version AS ver, r.seq AS seq "
            "FROM versions v JOIN resources r ON r.id = v.resource_id " + clause + " "
            "ORDER BY r.seq, v.version LIMIT ? OFFSET ?) "
            "SELECT r.id, r.kind, r.name, r.created_on, v.version, v.version_description, v.modified_on, v.content "
            "FROM page JOIN versions v ON v.resource_id = page.rid AND v.version = page.ver "
            "JOIN resources r ON r.id = page.rid ORDER BY page.seq, page.ver"
        )
        with self._lock:
            total = self._conn.execute(count_sql, tuple(params)).fetchone()[0]
            if offset >= total or not _fits(offset):
                return [], total
            rows = self._conn.execute(page_sql, (*params, limit, offset)).fetchall()
        return [self._version_row(r) for r in rows], total

    def change_mark(self) -> tuple[int, int]:
        """A value that moves whenever the data may have: rows written through this store, or a commit
        by any other connection to the same file (SQLite's ``data_version``). Lets readers cache."""
        with self._lock:
            return self._conn.total_changes, self._conn.execute("PRAGMA data_version").fetchone()[0]

    def rename(self, kind: str, rid: str, name: str) -> bool:
        """Rename every version; False if the resource does not exist; DuplicateNameError if taken."""
        with self._write() as conn:
            try:
                cur = conn.execute("UPDATE resources SET name = ? WHERE id = ? AND kind = ?", (name, rid, kind))
            except sqlite3.IntegrityError as exc:
                raise DuplicateNameError(name) from exc
            return cur.rowcount > 0

    def set_version_description(self, kind: str, rid: str, version: int, description: str | None) -> VersionRow | None:
        if not _fits(version):
            return None
        with self._write() as conn:
            cur = conn.execute(
                "UPDATE versions SET version_description = ? WHERE resource_id = ? AND version = ? "
                "AND resource_id IN (SELECT id FROM resources WHERE kind = ?)",
                (description, rid, version, kind),
            )
            if cur.rowcount == 0:
                return None
        return self.get_version(kind, rid, version)

    def configs_using(self, kind: str, rid: str, version: int | None = None) -> list[tuple[str, int]]:
        """(config name, config version) of every config version that references the prompt or tool
        ``rid`` (``version``: that version of it; a reference following the latest uses the newest)."""
        field = "prompt" if kind == "prompt" else "tools"
        latest = self.latest_version(kind, rid)
        out: list[tuple[str, int]] = []
        for row in self._read(self._VERSION_SELECT + "WHERE r.kind = 'config' ORDER BY r.name, v.version"):
            refs = json.loads(row["content"]).get(field)
            for ref in refs if isinstance(refs, list) else [refs] if refs else []:
                if not isinstance(ref, dict) or ref.get("id") != rid:
                    continue
                pinned = ref.get("version")
                following = pinned is None and latest is not None and latest.version == version
                if version is None or pinned == version or following:
                    out.append((str(row["name"]), int(row["version"])))
                    break
        return out

    def delete_resource(self, kind: str, rid: str) -> bool:
        with self._write() as conn:
            return conn.execute("DELETE FROM resources WHERE id = ? AND kind = ?", (rid, kind)).rowcount > 0

    def delete_version(self, kind: str, rid: str, version: int) -> bool:
        """Delete one version; deleting the only remaining version deletes the resource (no empty shells)."""
        if not _fits(version):
            return False
        with self._write() as conn:
            cur = conn.execute(
                "DELETE FROM versions WHERE resource_id = ? AND version = ? "
                "AND resource_id IN (SELECT id FROM resources WHERE kind = ?)",
                (rid, version, kind),
            )
            if cur.rowcount == 0:
                return False
            left = conn.execute("SELECT COUNT(*) FROM versions WHERE resource_id = ?", (rid,)).fetchone()[0]
            if left == 0:
                conn.execute("DELETE FROM resources WHERE id = ?", (rid,))
            return True

    # ---- custom voices -------------------------------------------------------------------------

    @staticmethod
    def _voice_row(row: sqlite3.Row) -> VoiceRow:
        return VoiceRow(row["id"], row["name"], row["generation_id"], row["created_on"])

    def create_voice(
        self, name: str, generation_id: str, *, voice_id: str | None = None, created_on: int | None = None
    ) -> VoiceRow:
        """A custom voice; a seed chooses its id (IdTakenError if held) and creation time."""
        when = now_ms() if created_on is None else created_on
        row = VoiceRow(voice_id or str(uuid.uuid4()), name, generation_id, when)
        with self._write() as conn:
            held = voice_id is not None and conn.execute("SELECT 1 FROM voices WHERE id = ?", (voice_id,)).fetchone()
            if held:
                raise IdTakenError(voice_id)
            try:
                conn.execute(
                    "INSERT INTO voices (id, name, generation_id, created_on) VALUES (?, ?, ?, ?)",
                    (row.id, row.name, row.generation_id, row.created_on),
                )
            except sqlite3.IntegrityError as exc:
                raise DuplicateNameError(name) from exc
        return row

    def add_library_voice(self, voice_id: str, name: str) -> None:
        """A Voice Library voice the built-in catalog lacks (or knows under another id): seeds only."""
        with self._write() as conn:
            try:
                conn.execute("INSERT INTO library_voices (id, name) VALUES (?, ?)", (voice_id, name))
            except sqlite3.IntegrityError as exc:
                raise DuplicateNameError(name) from exc

    def list_library_voices(self) -> list[tuple[str, str]]:
        """``(id, name)`` of the seeded Voice Library voices, in seeding order."""
        return [(r["id"], r["name"]) for r in self._read("SELECT id, name FROM library_voices ORDER BY seq")]

    def list_voices(self, *, ascending: bool = True) -> list[VoiceRow]:
        order = "ASC" if ascending else "DESC"
        return [self._voice_row(r) for r in self._read(f"SELECT * FROM voices ORDER BY seq {order}")]

    def find_voice(self, *, voice_id: str | None = None, name: str | None = None) -> VoiceRow | None:
        if voice_id is not None:
            rows = self._read("SELECT * FROM voices WHERE id = ?", (voice_id,))
        else:
            rows = self._read("SELECT * FROM voices WHERE name = ?", (name,))
        return self._voice_row(rows[0]) if rows else None

    def delete_voice(self, name: str) -> bool:
        with self._write() as conn:
            return conn.execute("DELETE FROM voices WHERE name = ?", (name,)).rowcount > 0

    # ---- chats (read-only over the API; seeded by the admin endpoint) --------------------------

    def add_chat(self, chat: dict[str, Any], events: list[dict[str, Any]]) -> None:
        with self._write() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO chats (id, chat_group_id, start_timestamp, body) VALUES (?, ?, ?, ?)",
                (chat["id"], chat["chat_group_id"], chat["start_timestamp"], json.dumps(chat)),
            )
            for event in events:
                conn.execute(
                    "INSERT OR REPLACE INTO chat_events (id, chat_id, timestamp, body) VALUES (?, ?, ?, ?)",
                    (event["id"], chat["id"], event["timestamp"], json.dumps(event)),
                )

    def list_chats(self, *, chat_group_id: str | None = None) -> list[dict[str, Any]]:
        """Chats by start time (ties: seeding order)."""
        if chat_group_id is None:
            rows = self._read("SELECT body FROM chats ORDER BY start_timestamp, seq")
        else:
            rows = self._read(
                "SELECT body FROM chats WHERE chat_group_id = ? ORDER BY start_timestamp, seq", (chat_group_id,)
            )
        return [json.loads(r["body"]) for r in rows]

    def get_chat(self, chat_id: str) -> dict[str, Any] | None:
        rows = self._read("SELECT body FROM chats WHERE id = ?", (chat_id,))
        return json.loads(rows[0]["body"]) if rows else None

    def list_chat_events(self, chat_ids: list[str]) -> list[dict[str, Any]]:
        if not chat_ids:
            return []
        marks = ",".join("?" for _ in chat_ids)  # only '?' marks are interpolated into the SQL
        rows = self._read(
            f"SELECT body FROM chat_events WHERE chat_id IN ({marks}) ORDER BY timestamp, seq",
            tuple(chat_ids),
        )
        return [json.loads(r["body"]) for r in rows]
