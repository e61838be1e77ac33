"""Where bytes too big for Redis live: shared files (and photos, logos) in a blob store."""
