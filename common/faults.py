"""Named points where a crash test kills this process: ``HELPCALL_KILL_AT=<point>``.

What a call changes in several owners' keys is a sequence of steps (docs/cluster.md), and
any surviving process must heal the state a dead one leaves between two of them. The
crash tests prove it on a real ``python -m server``: armed with a point, the process sends
itself SIGKILL on reaching it, as the OOM killer or a pulled plug would, with no cleanup
and no last word to Redis. Unarmed (always, in production) a point costs one comparison.

The points, each named where it is reached:

- ``call.taken``: the expert's busy flag and the payer's hold are taken for a call (and
  the call is listed), its ``start`` or ``route`` script not yet run;
- ``call.script:<name>``: a session script has changed the session, the steps it asks for
  (the flag given back, the hold settled, the queue) not yet taken;
- ``expert.saved``: an expert's profile is written in their slot, the category indexes
  not yet brought in line with it (marketplace/index.py);
- ``booking.held``: a slot is reserved in the expert's calendar and the client's money
  held for a booking, its ``book`` script not yet run;
- ``booking.script:<name>``: a booking script has changed the booking, the steps it asks
  for (the hold settled, the calendar, the accounts' lists) not yet taken
  (appointments/store.py).
"""

from __future__ import annotations

import logging
import os
import signal

log = logging.getLogger(__name__)

_armed = ""


def arm(point: str) -> None:
    """Kill this process on reaching ``point`` ('' disarms)."""
    global _armed
    _armed = point
    if point:
        log.warning("HELPCALL_KILL_AT=%s: this process kills itself there (crash tests)",
                    point)


def reached(point: str) -> None:
    if point == _armed:
        os.kill(os.getpid(), signal.SIGKILL)
