"""``humectl emulator``: serve the EVI-compatible emulator, and take an account's snapshot as a seed."""

from __future__ import annotations

import json
import re
import signal
from pathlib import Path
from typing import Any

import click

from humectl.cli.app import HumectlCommand, LazyGroup
from humectl.cli.flags import ApiFlags
from humectl.cli.options import api_options, output_option
from humectl.cli.output import echo, echo_raw, json_mode, say
from humectl.cli.running import run
from humectl.core import sensitive
from humectl.core.errors import UsageError
from humectl.core.escape import terminal
from humectl.emulator.app import EmulatorConfig
from humectl.emulator.seeding import SeedError, read_seed_file
from humectl.emulator.serve import KeyFileError, key_from_file, open_door_warning, serve
from humectl.io.files import check_writable, write_file
from humectl.ops.session import snapshot_settings
from humectl.ops.snapshot import render_snapshot, snapshot_counts
from humectl.render.json import snapshot_line


@click.group(cls=LazyGroup)
def emulator() -> None:
    """The EVI-compatible server (for tests, CI and trying humectl without an account).

    \b
    Examples:
      humectl emulator serve --port 8765
    """


@emulator.command("serve", cls=HumectlCommand)
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=8765, show_default=True, help="Port (0 = any free).")
@click.option(
    "--db", "db", default=":memory:", metavar="FILE", help="SQLite file to keep the account in (default: memory)."
)
@click.option(
    "--api-key",
    envvar="HUMECTL_EMULATOR_API_KEY",
    show_envvar=True,
    default=None,
    help="Accept only this X-Hume-Api-Key, on every path, admin ones too (default: any non-empty key). "
    "Prefer the variable or --api-key-file: a flag's value shows in `ps`.",
)
@click.option("--api-key-file", default=None, metavar="FILE", help="Read that key from FILE (one line).")
@click.option("--latency-ms", type=click.FloatRange(min=0), default=0, help="Delay every API request by N ms.")
@click.option(
    "--rate-limit",
    type=click.FloatRange(min=0, min_open=True),
    default=None,
    metavar="RPS",
    help="Token-bucket limit in requests/s; excess requests get 429 with Retry-After.",
)
@click.option(
    "--fault-rate",
    type=click.FloatRange(0, 1),
    default=0.0,
    metavar="P",
    help="Fraction of requests answered with a 503.",
)
@click.option(
    "--ambiguous-write-rate",
    type=click.FloatRange(0, 1),
    default=0.0,
    metavar="P",
    help="Fraction of creates/new versions committed but answered with a 502.",
)
@click.option(
    "--seed",
    "seed",
    default=None,
    metavar="FILE",
    help="Load this account snapshot (`humectl emulator snapshot`) before serving: prompts, tools, "
    "configs with their versions and ids, voices, chats. (An integer is the old --fault-seed.)",
)
@click.option("--fault-seed", type=int, default=None, help="Seed for the fault dice (reproducible runs).")
@click.option("--allow-duplicate-names", is_flag=True, help="Accept two resources of one kind with one name.")
@output_option("text, or json: one line {format_version, url, db, seeded} once listening (for scripts).")
def emulator_serve(
    output: str,
    host: str,
    port: int,
    db: str,
    api_key: str | None,
    api_key_file: str | None,
    latency_ms: float,
    rate_limit: float | None,
    fault_rate: float,
    ambiguous_write_rate: float,
    seed: str | None,
    fault_seed: int | None,
    allow_duplicate_names: bool,
) -> None:
    """Run the EVI-compatible server until stopped (Ctrl-C or SIGTERM: exit 0).

    \b
    Examples:
      humectl emulator serve --port 8765 --db account.sqlite3
      humectl emulator serve --port 0 -o json      # prints {"url": ...} once listening
      humectl emulator serve --seed account.json   # replay a snapshot of an account
      humectl emulator serve --latency-ms 30 --rate-limit 50 --fault-rate 0.05 --fault-seed 7
    """
    if api_key_file is not None:
        if api_key:
            raise UsageError("give the key once: HUMECTL_EMULATOR_API_KEY (or --api-key), or --api-key-file")
        try:
            api_key = key_from_file(api_key_file)
        except KeyFileError as exc:
            raise UsageError(str(exc)) from None
    warning = open_door_warning(host, api_key)
    if warning is not None:
        echo(warning, err=True)

    document = None
    if seed is not None and re.fullmatch(r"-?[0-9]+", seed) and not Path(seed).exists():
        # --seed N was the fault dice seed before snapshots: keep such invocations working.
        if fault_seed is not None:
            raise UsageError("--seed N is the old spelling of --fault-seed N: give one of them")
        say(f"note: --seed {seed} is deprecated for the fault dice; use --fault-seed {seed} (--seed takes a FILE)")
        fault_seed = int(seed)
    elif seed is not None:
        try:
            document = read_seed_file(seed)
        except SeedError as exc:
            raise UsageError(f"--seed: {exc.message}") from None
    config = EmulatorConfig(
        db=db,
        api_key=api_key or None,
        latency_ms=latency_ms,
        rate_limit=rate_limit,
        fault_rate=fault_rate,
        ambiguous_write_rate=ambiguous_write_rate,
        seed=fault_seed,
        allow_duplicate_names=allow_duplicate_names,
        seed_document=document,
    )
    seeded = snapshot_counts(document) if document is not None else None

    def announce(url: str) -> None:
        if output == "json":
            echo(json.dumps({"format_version": 1, "url": url, "db": db, "seeded": seeded}))
            return
        echo(f"humectl emulator listening on {url} (db: {terminal(db)}); stop it with Ctrl-C")
        if seeded is not None:
            echo(f"  seeded from {terminal(str(seed))}: " + ", ".join(f"{n} {what}" for what, n in seeded.items()))

    # Once listening, serve() turns SIGINT/SIGTERM into a graceful stop itself; before that (loading a
    # seed), SIGTERM takes Ctrl-C's path, so both stop with the goodbye line and exit 0.
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        serve(config, host=host, port=port, announce=announce)
    except SeedError as exc:
        raise UsageError(f"--seed {seed}: not loaded (nothing changed): {exc.message}") from None
    except OSError as exc:
        raise click.ClickException(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    except KeyboardInterrupt:
        pass  # Ctrl-C is how a foreground server is meant to stop: not an error
    finally:
        signal.signal(signal.SIGTERM, previous)
    say("humectl emulator stopped.")


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


@emulator.command("snapshot", cls=HumectlCommand)
@click.option(
    "--url",
    default=None,
    metavar="URL",
    help="The emulator (or any EVI-compatible server) to read: the same as --base-url.",
)
@click.option(
    "--out",
    "out_file",
    default=None,
    metavar="FILE",
    type=click.Path(dir_okay=False),
    help="Write the snapshot to FILE (default, or -: stdout).",
)
@output_option("text, or json: with --out, {format_version, file, counts}; without, the snapshot itself.")
@api_options
def emulator_snapshot(
    url: str | None,
    out_file: str | None,
    output: str,
    base_url: str | None,
    emulator_db: str | None,
    parallelism: int | None,
    timeout: float | None,
    ca_bundle: str | None,
) -> None:
    """Write a whole account as a seed file for `humectl emulator serve --seed FILE`.

    Every version of every tool, prompt and config, custom voices, extra library voices and chats, as
    the API answers them; seeding it and taking a snapshot again gives the same file. The key comes
    from HUME_API_KEY; a loopback emulator started without --api-key needs none.

    \b
    Examples:
      humectl emulator snapshot --url http://127.0.0.1:8765 --out account.json
      humectl emulator snapshot --emulator=.humectl/emulator.sqlite3 > account.json
    """
    if url is not None and base_url is not None and url.rstrip("/") != base_url.rstrip("/"):
        raise UsageError("--url and --base-url name different servers: give one of them")
    settings = snapshot_settings(ApiFlags(url or base_url, emulator_db, parallelism, timeout, ca_bundle).settings())
    if out_file == "-":  # the usual name for standard output, never a file called "-"
        out_file = None
    if out_file is not None:
        check_writable(out_file, "the snapshot")  # before the account is read, not after
    document = run(settings, lambda session: session.snapshot())
    text = render_snapshot(document)
    counts = snapshot_counts(document)
    if out_file is None:
        # The document itself, byte for byte (render_snapshot made it terminal- and log-safe JSON), so it
        # seeds and compares as is; never the key.
        echo_raw(text)
        return
    write_file(out_file, sensitive.current().mask(text), what="the snapshot")
    if json_mode():
        echo(snapshot_line(out_file, counts))
    else:
        say(f"Wrote {terminal(out_file)}: " + ", ".join(f"{n} {what}" for what, n in counts.items()))
