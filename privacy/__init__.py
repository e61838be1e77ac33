"""Each person's data: transcripts and documents (the vault), experts' notes on clients,
export, erasure and retention (docs/privacy.md)."""
