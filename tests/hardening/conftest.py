"""Hardening tests share the socket fixture of the signalling tests."""

from __future__ import annotations

from tests.signaling.conftest import connect

__all__ = ["connect"]
