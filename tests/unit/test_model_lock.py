"""humectl.model.lock: the account lock as data: the lock prompt's name per scope, the lease its text
holds (humectl's own, or None for anything else), and when that lease ends in server time."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from humectl.core.kinds import LOCK_KIND
from humectl.core.version import __version__
from humectl.model.lock import GRACE_MS, LOCK_NAME, Lease, LockRecord, first, iso, lock_name, ms, scope_label

LEASE = Lease(
    token="tok-1",
    run_id="run-1",
    scope="dev-",
    command="humectl apply",
    user="ada",
    host="ci-7",
    pid=42,
    commit="abc1234",
    ci=None,
    lease_seconds=60.0,
)
T0 = 1_700_000_000_000  # server ms


def head(text: object, created: object = T0, modified: object = T0, **extra: object) -> dict[str, object]:
    return {
        "id": "id-l",
        "name": lock_name("dev-"),
        "version": 2,
        "text": text,
        "created_on": created,
        "modified_on": modified,
        **extra,
    }


def test_names_and_labels_per_scope() -> None:
    assert LOCK_NAME == LOCK_KIND.reserved_name == "humectl-lock"
    assert lock_name("") == "humectl-lock" and lock_name("dev-") == "humectl-lock:dev-"
    assert LOCK_KIND.is_reserved(lock_name("staging-"))
    assert scope_label("") == "the account" and scope_label("dev-") == "name prefix 'dev-'"


def test_times() -> None:
    assert iso(T0) == "2023-11-14T22:13:20Z" and iso(None) == "an unknown time"
    assert ms(1_700_000_000) == T0  # seconds are scaled
    assert ms(T0 + 123) == T0 + 123 and ms(1.5e12) == 1_500_000_000_000
    assert ms(True) == 0 and ms("1700000000") == 0 and ms(None, 7) == 7  # not a number: the default


def test_a_lease_round_trips_through_the_prompt_text() -> None:
    text = LEASE.text(renewals=3)
    data = json.loads(text)
    assert data["schema"] == "humectl-lock/1" and data["renewals"] == 3 and data["humectl"] == __version__
    assert list(data) == sorted(data)  # stable text
    assert Lease.parse(text) == LEASE


@pytest.mark.parametrize(
    "text",
    [
        None,
        3,
        "not json",
        "[]",
        json.dumps({"schema": "someone-else/1", "token": "t", "run_id": "r", "lease_seconds": 5}),
        json.dumps({"schema": "humectl-lock/1", "token": "t", "run_id": "r"}),  # no lease
        json.dumps({"schema": "humectl-lock/1", "token": "t", "run_id": "r", "lease_seconds": 0}),
        json.dumps({"schema": "humectl-lock/1", "token": "t", "run_id": "r", "lease_seconds": "NaN"}),
        json.dumps({"schema": "humectl-lock/1", "token": "t", "run_id": "r", "lease_seconds": 5, "pid": "x"}),
    ],
)
def test_text_that_is_not_a_humectl_lease_parses_to_none(text: object) -> None:
    assert Lease.parse(text) is None


def test_a_sparse_lease_gets_placeholders() -> None:
    lease = Lease.parse(
        json.dumps(
            {
                "schema": "humectl-lock/1",
                "token": "t",
                "run_id": "r",
                "lease_seconds": 9,
                "commit": 5,
                "ci": "https://ci/job/1",
            }
        )
    )
    assert lease is not None
    assert (lease.scope, lease.command, lease.user, lease.host, lease.pid) == ("", "humectl", "?", "?", 0)
    assert lease.commit is None and lease.ci == "https://ci/job/1" and lease.humectl == "?"


def test_a_record_from_its_head() -> None:
    record = LockRecord.from_head(head(LEASE.text(), created=1_700_000_000, modified=None, version_description="d"))
    assert (record.id, record.name, record.version) == ("id-l", "humectl-lock:dev-", 2)
    assert record.created_on == T0 and record.modified_on == T0  # no modified_on: created_on
    assert record.lease == LEASE and record.description == "d"
    assert record.expires_ms == T0 + 60_000


def test_a_lease_expires_a_grace_second_after_it_ends() -> None:
    record = LockRecord.from_head(head(LEASE.text(), modified=T0 + 5_000))
    ends = T0 + 5_000 + 60_000
    assert not record.expired(ends) and not record.expired(ends + GRACE_MS - 1)
    assert record.expired(ends + GRACE_MS)
    assert record.to_dict(ends + GRACE_MS)["expired"] is True


def test_a_foreign_prompt_or_one_without_times_never_expires() -> None:
    foreign = LockRecord.from_head(head("my own prompt"))
    assert foreign.lease is None and foreign.expires_ms is None and not foreign.expired(T0 * 2)
    timeless = LockRecord.from_head(head(LEASE.text(), created=None, modified=None))
    assert timeless.expires_ms is None and not timeless.expired(T0 * 2)


def test_to_dict_names_the_holder_without_the_token() -> None:
    document = LockRecord.from_head(head(LEASE.text())).to_dict(T0)
    assert document["id"] == "id-l" and document["created_on"] == T0 and document["expired"] is False
    holder = document["holder"]
    assert holder["run_id"] == "run-1" and holder["user"] == "ada" and holder["pid"] == 42
    assert not {"token", "scope", "humectl"} & set(holder)  # the token identifies a candidate: never shown
    assert LockRecord.from_head(head("x")).to_dict(T0)["holder"] is None


def test_holder_says_who_since_when_and_how_long_is_left() -> None:
    record = LockRecord.from_head(head(LEASE.text(), modified=T0 + 10_000))
    text = record.holder(T0 + 30_000)
    assert text == (
        "run run-1 since 2023-11-14T22:13:20Z: `humectl apply` by ada@ci-7, pid 42, git abc1234; "
        "its lease ends in 40 s unless renewed"
    )
    assert record.holder(T0 + 10_000 + 60_000 + 3_000).endswith("; its lease ran out 3 s ago")
    with_ci = LockRecord.from_head(head(replace(LEASE, ci="https://ci/1", commit=None).text()))
    assert "by ada@ci-7, pid 42, CI job https://ci/1;" in with_ci.holder(T0)
    timeless = LockRecord.from_head(head(LEASE.text(), created=None, modified=None))
    assert timeless.holder(T0).endswith("; the server gave it no time, so it does not run out by itself")
    assert LockRecord.from_head(head("x")).holder(T0) == (
        "a prompt 'humectl-lock:dev-' that humectl did not write (id id-l), since 2023-11-14T22:13:20Z"
    )


def test_the_time_left_never_exceeds_the_lease() -> None:
    # A server clock behind ours must not promise more than the lease itself.
    record = LockRecord.from_head(head(LEASE.text(), modified=T0 + 600_000))
    assert record.holder(T0).endswith("its lease ends in 60 s unless renewed")


def test_first_is_the_earliest_candidate_then_the_smallest_id() -> None:
    a = LockRecord.from_head({**head(LEASE.text(), created=T0 + 1), "id": "a"})
    b = LockRecord.from_head({**head(LEASE.text(), created=T0), "id": "b"})
    c = LockRecord.from_head({**head(LEASE.text(), created=T0), "id": "c"})
    assert first([a, c, b]) is b
