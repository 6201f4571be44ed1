"""pyfmg: a client for the JSON-RPC API of FortiManager, drop-in compatible with pyFMG 0.8.6.

``from pyfmg import FortiManager`` -- also importable as ``pyfmg.fortimgr`` and, for code
written for pyFMG, ``pyFMG.fortimgr``.

The names below are loaded on first use (PEP 562): ``import pyfmg`` alone does not import
``requests``, so the command line, SOAR actions and Ansible tasks start quickly.
"""

from __future__ import annotations

import importlib
import logging
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # what type checkers and IDEs see; at run time __getattr__ imports on first use
    from .bulk import ItemResult
    from .cassette import recording
    from .client import FortiManager
    from .converge import ObjectChange, apply_object_change, converge_object, plan_object
    from .exceptions import (
        FMGBaseException,
        FMGConnectionError,
        FMGConnectTimeout,
        FMGConvergeError,
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
        FMGReplyTooSlow,
        FMGRequestNotFormedCorrect,
        FMGResponseNotFormedCorrect,
        FMGTLSError,
        FMGValidationError,
        FMGValidSessionException,
        FMGValueError,
        FMGWorkspaceError,
    )
    from .jobresult import ConvergeResult, ConvergeSummary, ObjectResult
    from .lockscope import lock_scope, resolve_package_path
    from .logs import Redactor
    from .retry import Retry
    from .tasks import TaskProgress
    from .wirelimits import MinSpeed
    from .workspace import LockScope

#: The version of pyfmg (``"1.0.0"``); pyFMG 0.8.6 compatibility is by behaviour, not by this number.
__version__ = "1.0.0"

#: Public name -> the submodule that defines it.
_EXPORTS = {
    "ItemResult": "bulk",
    "recording": "cassette",
    "FortiManager": "client",
    "ObjectChange": "converge",
    "apply_object_change": "converge",
    "converge_object": "converge",
    "plan_object": "converge",
    **dict.fromkeys(
        (
            "FMGBaseException",
            "FMGConnectionError",
            "FMGConnectTimeout",
            "FMGConvergeError",
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
            "FMGReplyTooSlow",
            "FMGRequestNotFormedCorrect",
            "FMGResponseNotFormedCorrect",
            "FMGTLSError",
            "FMGValidationError",
            "FMGValidSessionException",
            "FMGValueError",
            "FMGWorkspaceError",
        ),
        "exceptions",
    ),
    "ConvergeResult": "jobresult",
    "ConvergeSummary": "jobresult",
    "ObjectResult": "jobresult",
    "lock_scope": "lockscope",
    "Redactor": "logs",
    "resolve_package_path": "lockscope",
    "Retry": "retry",
    "TaskProgress": "tasks",
    "LockScope": "workspace",
    "MinSpeed": "wirelimits",
}

__all__ = [
    "ConvergeResult",
    "ConvergeSummary",
    "FMGBaseException",
    "FMGConnectTimeout",
    "FMGConnectionError",
    "FMGConvergeError",
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
    "FMGReplyTooSlow",
    "FMGRequestNotFormedCorrect",
    "FMGResponseNotFormedCorrect",
    "FMGTLSError",
    "FMGValidSessionException",
    "FMGValidationError",
    "FMGValueError",
    "FMGWorkspaceError",
    "FortiManager",
    "ItemResult",
    "LockScope",
    "MinSpeed",
    "ObjectChange",
    "ObjectResult",
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


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_EXPORTS})


logging.getLogger(__name__).addHandler(logging.NullHandler())
