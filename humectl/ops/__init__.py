"""Operations: a :class:`~humectl.ops.session.Session` (one client, one transport, one lock, one event
loop run per command) and what it does: plan, apply, export, rollback, destroy, drift, history, snapshot."""
