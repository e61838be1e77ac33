from tests.signaling.conftest import connect  # noqa: F401
