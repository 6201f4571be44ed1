"""pyFMG 0.8.6's module, ``pyFMG.fortimgr``: the same names, backed by pyfmg.

``from pyFMG.fortimgr import FortiManager, FMGBaseException`` (and ``from pyfmg.fortimgr import ...``)
give the very objects ``from pyfmg import ...`` gives. The modules pyFMG's module imported are
attributes here too, because tests written for pyFMG patch through them
(``monkeypatch.setattr("pyFMG.fortimgr.time.sleep", ...)``).
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from datetime import datetime

import requests
from requests.exceptions import ConnectionError as ReqConnError
from requests.exceptions import ConnectTimeout as ReqConnTimeout

from .client import FortiManager
from .exceptions import (
    FMGBaseException,
    FMGConnectionError,
    FMGConnectTimeout,
    FMGInvalidResponse,
    FMGLockError,
    FMGOAuthTokenError,
    FMGReadTimeout,
    FMGRequestNotFormedCorrect,
    FMGResponseNotFormedCorrect,
    FMGTLSError,
    FMGValidSessionException,
    FMGValueError,
    FMGWorkspaceError,
)
from .legacy import FMGLockContext
from .response import RequestResponse

__all__ = [
    "FMGBaseException",
    "FMGConnectTimeout",
    "FMGConnectionError",
    "FMGInvalidResponse",
    "FMGLockContext",
    "FMGLockError",
    "FMGOAuthTokenError",
    "FMGReadTimeout",
    "FMGRequestNotFormedCorrect",
    "FMGResponseNotFormedCorrect",
    "FMGTLSError",
    "FMGValidSessionException",
    "FMGValueError",
    "FMGWorkspaceError",
    "FortiManager",
    "ReqConnError",
    "ReqConnTimeout",
    "RequestResponse",
    "datetime",
    "json",
    "logging",
    "requests",
    "time",
    "uuid",
]
