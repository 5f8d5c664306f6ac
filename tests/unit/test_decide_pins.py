"""humectl.decide.pins: which reference moves need the content of two versions, which of those versions
must be read, and the risk of a move from the two contents."""

from __future__ import annotations

from humectl.decide.pins import PinMove, move_risks, pin_moves, versions_to_read
from humectl.model.fields import FieldChange
from humectl.model.live import LiveResource, LiveState
from humectl.model.plan import VERSION, Change, Plan

V0 = "You are Sam.\nBe kind.\nHelp with orders.\n"
REWRITTEN = "You are a pirate.\nSpeak in riddles.\nNever help.\n"


def head(version: int, text: str) -> LiveState:
    data = {"name": "p", "id": "id-p", "version": version, "text": text, "prompt_expansion": {"enabled": True}}
    return LiveState(resources={("prompt", "p"): LiveResource("prompt", "p", "id-p", version, data)})


def config_moving(before: str, after: str) -> Change:
    return Change(
        address="config/c",
        kind="config",
        name="c",
        operations=(VERSION,),
        live_id="id-c",
        live_version=0,
        fields=(FieldChange("prompt", before, after),),
    )


def prompt_version(version: int, text: str) -> Change:
    content = {"text": text, "prompt_expansion": {"enabled": True}}
    return Change(
        address="prompt/p",
        kind="prompt",
        name="p",
        operations=(VERSION,),
        live_id="id-p",
        live_version=version - 1,
        predicted_version=version,
        content=content,
    )


def test_the_plain_cascade_needs_nothing() -> None:
    plan = Plan(changes=(prompt_version(4, REWRITTEN), config_moving("p@3", "p@4")))
    assert pin_moves(plan, head(3, V0)) == []  # its risk is the prompt change's own


def test_a_pin_move_reads_only_the_version_nobody_holds() -> None:
    live = head(4, REWRITTEN)
    plan = Plan(changes=(config_moving("p@1", "p@4"),))
    moves = pin_moves(plan, live)
    assert moves == [PinMove("prompt", "p", 1, 4)]
    assert versions_to_read(moves, plan, live) == [("prompt", "p", 1)]  # v4 is the (complete) live head
    read = {
        ("prompt", "p", 1): {"name": "p", "id": "id-p", "version": 1, "text": V0, "prompt_expansion": {"enabled": True}}
    }
    ((key, (level, words)),) = move_risks(moves, plan, live, read).items()
    assert key == ("prompt/p", 1, 4) and level == "high" and words.startswith("prompt text rewritten")
    assert move_risks(moves, plan, live, {}) == {}  # not read (deleted meanwhile): nothing rated


def test_a_move_from_an_older_version_onto_the_one_this_plan_makes() -> None:
    live = head(3, V0)
    plan = Plan(changes=(prompt_version(4, REWRITTEN), config_moving("p@1", "p@4")))
    moves = pin_moves(plan, live)
    assert versions_to_read(moves, plan, live) == [("prompt", "p", 1)]  # v4's content is in the plan
    read = {
        ("prompt", "p", 1): {
            "name": "p",
            "id": "id-p",
            "version": 1,
            "text": REWRITTEN,
            "prompt_expansion": {"enabled": True},
        }
    }
    assert move_risks(moves, plan, live, read) == {("prompt/p", 1, 4): ("low", "the same content")}
