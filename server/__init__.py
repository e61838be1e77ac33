"""The web process: configuration, the app factory, the embedded Redis and the command line."""
