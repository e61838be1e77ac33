"""Mail: composed in the web process, queued in a Redis stream, sent by the mail worker."""
