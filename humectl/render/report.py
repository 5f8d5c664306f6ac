"""An apply's report (what was done, failed, in flight, not started) as text, and the heading that
says why it stopped, shared with the Markdown job summary."""

from __future__ import annotations

from humectl.core.errors import STOPPED_BY_FAILURE, STOPPED_BY_INTERRUPT, STOPPED_BY_LOCK_LOST, ApplyReport
from humectl.core.escape import name, terminal
from humectl.render.style import operation_labels

IN_FLIGHT_NOTE = "sent, no answer yet: may or may not have taken effect; run `humectl plan` to see"


def report_heading(report: ApplyReport) -> str:
    """Why the apply ended where it did, in one sentence."""
    if report.stopped_by == STOPPED_BY_INTERRUPT:
        return "Apply interrupted"
    if report.stopped_by == STOPPED_BY_LOCK_LOST:
        return f"Apply stopped: {report.reason or 'the account lock was lost'}"
    if report.stopped_by == STOPPED_BY_FAILURE or report.failed:
        return "Apply stopped at the first failure"
    return "Apply complete"


def took_effect(report: ApplyReport, address: str) -> str | None:
    """``its rename took effect``: the operations of a change that stopped part-way that did take
    effect (a change holds several: rename, then a new version or description), or None."""
    done = report.partly_done(address)
    return f"its {operation_labels(done)} took effect" if done else None


AGAIN = "Run `humectl plan` to see what is left; `humectl apply` again converges."


def render_report_text(report: ApplyReport, again: str = AGAIN) -> str:
    """The report for a terminal (addresses and Hume's messages escaped); ``again`` says how to finish."""
    lines = [f"{terminal(report_heading(report))}. Exactly this happened:"]
    lines.append(f"  done ({len(report.done)}): {', '.join(map(name, report.done)) or 'nothing'}")
    for address, error in report.failed:
        took = took_effect(report, address)
        before = f" ({took}, the rest did not)" if took else ""
        lines.append(f"  failed: {name(address)}{before}: {terminal(error)}")
    if report.in_flight:
        flying = [name(a) + (f" ({took})" if (took := took_effect(report, a)) else "") for a in report.in_flight]
        lines.append(f"  in flight ({len(report.in_flight)}): {', '.join(flying)}")
        lines.append(f"    ({IN_FLIGHT_NOTE})")
    not_started = ", ".join(map(name, report.not_started)) or "nothing"
    lines.append(f"  not started ({len(report.not_started)}): {not_started}")
    lines.append(again)
    return "\n".join(lines) + "\n"
