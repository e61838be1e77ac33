"""Signalling over Socket.IO: connection auth, presence, ringing, relay, reconnection."""
