"""``humectl force-unlock``: break the account lock that a run which is gone left behind."""

from __future__ import annotations

import click

from humectl.cli.app import HumectlCommand
from humectl.cli.flags import ApiFlags, api_flags
from humectl.cli.options import output_option
from humectl.cli.output import echo, json_mode, record, say
from humectl.cli.running import confirm, run
from humectl.core.escape import terminal
from humectl.model.lock import scope_label
from humectl.ops.session import Session
from humectl.render.json import dumps, unlock_document


@click.command("force-unlock", cls=HumectlCommand)
@click.argument("lock_id", metavar="LOCK_ID")
@click.option("--force", "-f", "force", is_flag=True, help="Do not ask for confirmation.")
@click.option("--auto-approve", "force", is_flag=True, hidden=True)
@output_option("text, or json: the lock that was removed (docs/json-output.md).")
@api_flags
def force_unlock(lock_id: str, force: bool, output: str, flags: ApiFlags) -> int:
    """Delete the account lock LOCK_ID that a run which is gone left behind (as Terraform's).

    LOCK_ID is printed by the run the lock refused. Only that lock prompt is deleted. Breaking the
    lock of a run that is still writing lets two runs write at once: check that it is gone first.

    \b
    Examples:
      humectl force-unlock 6f0c2b1e-8d3a-4c5e-9f70-1a2b3c4d5e6f
      humectl force-unlock 6f0c2b1e-8d3a-4c5e-9f70-1a2b3c4d5e6f --force
    """

    async def work(session: Session) -> int:
        record_, now = await session.read_lock(lock_id)
        record(lock={"id": record_.id, "name": record_.name}, removed=False)
        say(f"Lock {record_.id} ({terminal(record_.name)}): {terminal(record_.holder(now))}")
        if not force and not await confirm(
            "force-unlock", "Break this lock? The run holding it must be gone", "--force"
        ):
            return 1
        await session.break_lock(record_)
        scope = record_.name.partition(":")[2]
        say(f"Lock {record_.id} removed: the next run takes the lock of {terminal(scope_label(scope))}.")
        if json_mode():
            echo(dumps(unlock_document(record_, scope)), nl=False)
        return 0

    return run(flags.settings(), work)
