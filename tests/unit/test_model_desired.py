"""humectl.model.desired: the desired state as data: resources by kind and name, load options and a
manifest set whose secrets stay out of their reprs."""

from __future__ import annotations

from pathlib import Path

import pytest

from humectl.model.desired import DesiredResource, LoadOptions, ManifestSet, Source
from humectl.model.review import Policy

HERE = Source("evi.yaml", 1, 1)


def resource(kind: str, name: str) -> DesiredResource:
    return DesiredResource(kind, name, {}, HERE)  # type: ignore[arg-type]


def test_address_is_kind_slash_name() -> None:
    assert resource("config", "support-desk").address == "config/support-desk"
    assert resource("prompt", "a/b").address == "prompt/a/b"


def test_get_and_of_kind_look_up_by_kind_and_name() -> None:
    p, t, c = resource("prompt", "same"), resource("tool", "same"), resource("config", "c")
    manifests = ManifestSet(Path("."), [p, t, c])
    assert manifests.get("prompt", "same") is p and manifests.get("tool", "same") is t
    assert manifests.get("config", "same") is None and manifests.get("prompt", "c") is None
    assert manifests.of_kind("prompt") == [p] and manifests.of_kind("config") == [c]
    assert ManifestSet(Path(".")).of_kind("tool") == []


def test_defaults() -> None:
    r = resource("tool", "t")
    assert (r.version_description, r.previous_names, r.protect, r.ignore_warnings) == (None, (), False, ())
    manifests = ManifestSet(Path("evi"))
    assert manifests.policy == Policy() and manifests.name_prefix == "" and manifests.sensitive == {}
    assert LoadOptions().project_file is None and LoadOptions().allowed_models == ()


@pytest.mark.parametrize("field", ["variables", "env_variables", "secret_variables"])
def test_load_options_keep_values_out_of_their_repr(field: str) -> None:
    options = LoadOptions(**{field: {"TOKEN": "s3cr3t-value"}})  # type: ignore[arg-type]
    assert "s3cr3t-value" not in repr(options)


def test_a_manifest_set_keeps_sensitive_values_out_of_its_repr() -> None:
    manifests = ManifestSet(Path("evi"), sensitive={"TOKEN": "s3cr3t-value"})
    assert "s3cr3t-value" not in repr(manifests)


def test_load_options_are_frozen() -> None:
    with pytest.raises(AttributeError):
        LoadOptions().name_prefix = "dev-"  # type: ignore[misc]
