"""humectl.decide.unmanage: a removed: entry becomes an unmanage change while humectl's marker is there."""

from __future__ import annotations

from pathlib import Path

from humectl.decide.unmanage import unmanage_changes
from humectl.model.desired import ManifestSet, Removed, Source
from humectl.model.live import LiveResource, LiveState

SRC = Source("gone.yaml", 2, 14)


def live(description: str | None, name: str = "old") -> LiveState:
    head = LiveResource("prompt", name, "id-1", 4, {"name": name, "version_description": description})
    return LiveState(resources={("prompt", name): head})


def removed(prefix: str = "", name: str = "old") -> ManifestSet:
    return ManifestSet(root=Path("."), name_prefix=prefix, removed=[Removed("prompt", prefix + name, SRC)])


def test_the_marker_is_cleared_and_the_words_before_it_stay() -> None:
    (change,) = unmanage_changes(removed(), live("The first agent. [humectl 3fa9c1d2 protect]"))
    assert change.operations == ("unmanage",) and change.address == "prompt/old"
    assert change.version_description == "The first agent." and change.live_version == 4
    assert change.blocked_by is None and change.source == "gone.yaml:2"
    assert change.reasons == (
        "the manifests list it under removed:",
        "its protect: true is part of humectl's marker and goes with it",
    )
    (bare,) = unmanage_changes(removed(), live("[humectl 3fa9c1d2]"))
    assert bare.version_description is None


def test_nothing_to_do_without_the_marker_or_the_resource() -> None:
    assert unmanage_changes(removed(), live("made by hand")) == []
    assert unmanage_changes(removed(), LiveState()) == []


def test_another_environment_s_resource_is_refused() -> None:
    (change,) = unmanage_changes(removed("dev-"), live("x [humectl 3fa9c1d2 prefix=staging-]", "dev-old"))
    assert change.blocked_by == "humectl manages it for name prefix 'staging-', not this environment"
