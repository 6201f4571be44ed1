"""pyfmg: a client for the FortiManager JSON-RPC API, drop-in compatible with pyFMG 0.8.6.

``from pyfmg import FortiManager`` -- also importable as ``pyfmg.fortimgr`` and, for code
written for pyFMG, ``pyFMG.fortimgr``.
"""

import logging

from .bulk import ItemResult
from .cassette import recording
from .client import FortiManager
from .converge import ObjectChange, apply_object_change, converge_object, plan_object
from .exceptions import (
    FMGBaseException,
    FMGConnectionError,
    FMGConnectTimeout,
    FMGDeadlineExceeded,
    FMGInsecureTLSWarning,
    FMGInvalidResponse,
    FMGLockError,
    FMGLockScopeError,
    FMGOAuthTokenError,
    FMGObjectStatusError,
    FMGReadTimeout,
    FMGRedirectRefused,
    FMGReplyTooLarge,
    FMGRequestNotFormedCorrect,
    FMGResponseNotFormedCorrect,
    FMGTLSError,
    FMGValidSessionException,
    FMGValueError,
    FMGWorkspaceError,
)
from .lockscope import lock_scope, resolve_package_path
from .logs import Redactor
from .retry import Retry
from .tasks import TaskProgress
from .workspace import LockScope

__version__ = "1.0.0"

__all__ = [
    "FMGBaseException",
    "FMGConnectTimeout",
    "FMGConnectionError",
    "FMGDeadlineExceeded",
    "FMGInsecureTLSWarning",
    "FMGInvalidResponse",
    "FMGLockError",
    "FMGLockScopeError",
    "FMGOAuthTokenError",
    "FMGObjectStatusError",
    "FMGReadTimeout",
    "FMGRedirectRefused",
    "FMGReplyTooLarge",
    "FMGRequestNotFormedCorrect",
    "FMGResponseNotFormedCorrect",
    "FMGTLSError",
    "FMGValidSessionException",
    "FMGValueError",
    "FMGWorkspaceError",
    "FortiManager",
    "ItemResult",
    "LockScope",
    "ObjectChange",
    "Redactor",
    "Retry",
    "TaskProgress",
    "__version__",
    "apply_object_change",
    "converge_object",
    "lock_scope",
    "plan_object",
    "recording",
    "resolve_package_path",
]

logging.getLogger(__name__).addHandler(logging.NullHandler())
