"""Trust: disputes of paid calls, reports, blocks and account suspensions (docs/trust.md)."""
