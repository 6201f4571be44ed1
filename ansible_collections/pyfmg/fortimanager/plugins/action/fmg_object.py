# Copyright: pyfmg contributors
# Apache License 2.0 (see LICENSE in the repository root)
"""The action plugin of every pyfmg.fortimanager module (meta/runtime.yml routes the others here).

Under connection httpapi the task runs in the connection process; see plugin_utils/action.py.
"""

from __future__ import annotations

from ansible_collections.pyfmg.fortimanager.plugins.plugin_utils.action import FMGAction


class ActionModule(FMGAction):
    pass
