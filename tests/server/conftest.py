from tests.signaling.conftest import connect

__all__ = ["connect"]  # the socket fixture, for the log tests
