"""Who holds a lease: this process's name on the rows it works on, and whether a holder is gone.

The inbox and the outbox lease rows to the process working on them. A lease that runs out tells
that its holder died, but only after the lease time (a minute). A holder on this host can be
asked directly: when its process is gone, its rows are taken over at once, so a restart after
a crash answers and pushes at start-up rather than a minute later. Other hosts' processes are
judged by their leases only.
"""

from __future__ import annotations

import os
import socket
import uuid

HOST = socket.gethostname()[:30]

_OWNERS: dict[int, str] = {}


def process_owner() -> str:
    """This process's name on its leases: host, pid and a random part (pids are reused, e.g.
    by a restarted container). One per process: its inbox and its outbox share it."""
    pid = os.getpid()
    if pid not in _OWNERS:
        _OWNERS[pid] = f"{HOST}:{pid}:{uuid.uuid4().hex[:8]}"
    return _OWNERS[pid]


def is_gone(owner: str) -> bool:
    """True when ``owner`` was a process of this host that no longer runs."""
    host, _, rest = owner.partition(":")
    pid_text, _, _ = rest.partition(":")
    if host != HOST or not pid_text.isdigit():
        return False
    pid = int(pid_text)
    if pid == os.getpid():  # this pid, another owner name: an earlier life of this process slot
        return owner != process_owner()
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # exists, someone else's
        return False
    return False
