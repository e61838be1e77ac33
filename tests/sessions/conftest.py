from tests.signaling.conftest import connect

__all__ = ["connect"]
