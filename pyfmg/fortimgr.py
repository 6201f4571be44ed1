"""pyFMG 0.8.6's module, ``pyFMG.fortimgr``: the same names, backed by pyfmg.

``from pyFMG.fortimgr import FortiManager, FMGBaseException`` (and ``from pyfmg.fortimgr import ...``)
give the very objects ``from pyfmg import ...`` gives.
"""

from __future__ import annotations

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
from .logs import RequestResponse
from .workspace import WorkspaceManager as FMGLockContext

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
    "RequestResponse",
]
