"""The browser app: server-rendered pages, their translations, and the static ES modules."""
