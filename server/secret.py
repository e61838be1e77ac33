"""The secret key: from configuration, or generated once and kept in the data dir."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from server.config import Config


def load_or_create_secret(config: Config) -> bytes:
    if config.secret_key:
        return config.secret_key.encode()
    path = Path(config.data_dir) / "secret_key"
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip().encode()
    with os.fdopen(fd, "w") as handle:
        handle.write(secrets.token_urlsafe(48))
    return path.read_text().strip().encode()
