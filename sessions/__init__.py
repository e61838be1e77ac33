"""Sessions: the state machine, metering, pricing, wallet, billing events, worker."""
