"""pyfmg: a client for the FortiManager JSON-RPC API, drop-in compatible with pyFMG 0.8.6.

``from pyfmg import FortiManager`` -- also importable as ``pyfmg.fortimgr`` and, for code
written for pyFMG, ``pyFMG.fortimgr``.
"""

import logging

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
from .lockscope import FMGLockScopeError, lock_scope, resolve_package_path
from .retry import Retry
from .workspace import LockScope

__version__ = "1.0.0"

__all__ = [
    "FMGBaseException",
    "FMGConnectTimeout",
    "FMGConnectionError",
    "FMGInvalidResponse",
    "FMGLockError",
    "FMGLockScopeError",
    "FMGOAuthTokenError",
    "FMGReadTimeout",
    "FMGRequestNotFormedCorrect",
    "FMGResponseNotFormedCorrect",
    "FMGTLSError",
    "FMGValidSessionException",
    "FMGValueError",
    "FMGWorkspaceError",
    "FortiManager",
    "LockScope",
    "Retry",
    "__version__",
    "lock_scope",
    "resolve_package_path",
]

logging.getLogger(__name__).addHandler(logging.NullHandler())
