"""A FortiManager JSON-RPC simulator for tests and offline development.

It imports nothing from the pyfmg client, so it can check the client from the outside.
"""

from __future__ import annotations

from .server import RecordedRequest
from .simulator import FMGSimulator, RecordedCall

__all__ = ["FMGSimulator", "RecordedCall", "RecordedRequest"]
