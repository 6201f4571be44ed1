"""pyFMG 0.8.6's surface, private parts included, as adapters over pyfmg's own objects.

Code written for pyFMG reaches past its public methods: it reads ``fmg._lock_ctx``,
``_passwd`` and ``_apikeyused``, swaps ``fmg._session`` for a test double, replaces ``get`` or
``_handle_response`` on the instance, and matches message texts. Everything that exists only for
that code lives here, so the client (``pyfmg/client.py``) stays about pyfmg's own behaviour.

- :mod:`.lockcontext` -- ``FMGLockContext`` over :class:`pyfmg.workspace.WorkspaceManager`;
- :mod:`.surface` -- the ``FortiManager`` attributes, properties and private methods pyFMG had;
- :mod:`.wire` -- pyFMG's way of posting through ``sess.post`` and the words its errors start with.
"""

from __future__ import annotations

from .lockcontext import FMGLockContext
from .surface import PyFMGSurface

__all__ = ["FMGLockContext", "PyFMGSurface"]
