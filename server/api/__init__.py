"""The JSON HTTP API under ``/api/v1`` (protocol §2)."""
