"""``python -m tests.payments.localstripe_server PORT``: localstripe on loopback only.

localstripe's own entry point listens on every interface and keeps its state in
``/tmp/localstripe.pickle`` (shared by every run on the machine); this one serves the same
app on 127.0.0.1 and keeps the state in memory, so each test run starts empty.
"""

from __future__ import annotations

import sys

from aiohttp import web
from localstripe import resources
from localstripe.server import app


def _keep_in_memory(_store: object) -> None:
    """Instead of pickling the whole store to /tmp after every write."""


def main() -> None:
    resources.Store.dump_to_disk = _keep_in_memory  # type: ignore[method-assign]
    web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), print=None, access_log=None)


if __name__ == "__main__":
    main()
