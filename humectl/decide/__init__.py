"""Pure steps from desired and live state to decisions: normalise, diff, plan, assess risk, check the
policy, find drift, lay out exported manifests. No I/O: every input is data, every output is data."""
