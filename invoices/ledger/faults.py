"""Named points where a test can kill the process for real (SIGKILL), to prove that a run
stopped anywhere and run again yields exactly the invoices of an uninterrupted run.

Set PRICING_FAULT to a point's name; unset (always, outside the tests) it does nothing.
"""

from __future__ import annotations

import os
import signal

FAULT_ENV = "PRICING_FAULT"


def fault_point(name: str) -> None:
    if os.environ.get(FAULT_ENV) == name:
        os.kill(os.getpid(), signal.SIGKILL)
