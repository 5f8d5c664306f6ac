"""Plain data: desired and live resources, fields that changed, the Plan and its changes (each an
ordered list of operations), the review's risk and policy records. Decides nothing, reads nothing."""
