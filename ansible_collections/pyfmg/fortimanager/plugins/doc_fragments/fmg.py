# Copyright: pyfmg contributors
# Apache License 2.0 (see LICENSE in the repository root)
"""Connection options shared by every pyfmg.fortimanager module."""

from __future__ import annotations


class ModuleDocFragment:
    DOCUMENTATION = r"""
options:
  host:
    description:
      - FortiManager address, optionally with a port (C(fmg.example.net:8443)).
      - Taken from the E(PYFMG_HOST) environment variable when not given.
    type: str
    required: true
  username:
    description:
      - Administrator name for a password login. Taken from E(PYFMG_USER) when not given.
    type: str
    aliases: [user]
  password:
    description:
      - Administrator password. Taken from E(PYFMG_PASSWORD) when not given.
      - Never shown in results or logs; keep it in Ansible Vault.
    type: str
  api_key:
    description:
      - REST API key of an API administrator, used instead of O(username)/O(password) (no login or logout).
      - Taken from E(PYFMG_APIKEY) when not given. Wins over O(password) when both are set.
    type: str
  use_ssl:
    description: Talk HTTPS (C(true)) or plain HTTP (C(false), only for test setups). E(PYFMG_USE_SSL).
    type: bool
    default: true
  verify_ssl:
    description: Check the FortiManager certificate. E(PYFMG_VERIFY_SSL).
    type: bool
    default: false
  timeout:
    description: Seconds to wait for each HTTP request.
    type: int
    default: 300
  adom:
    description:
      - ADOM whose workspace is locked for writes (when FortiManager runs in workspace mode).
        Use V(global) for C(pm/config/global) URLs.
      - Also replaces C({adom}) in the module's C(url), where it has one. E(PYFMG_ADOM).
      - Workflow mode (approvals) is not handled; use M(pyfmg.fortimanager.fmg_rpc) for its steps.
    type: str
    default: root
  lock_wait:
    description:
      - Seconds to keep retrying when another administrator holds the workspace lock.
      - V(0) fails at once with FortiManager's code C(-20055).
    type: float
    default: 0
requirements:
  - pyfmg (the Python library) on the host that runs the module, usually the controller.
notes:
  - "Run the modules where the playbook runs (C(connection: local) or C(delegate_to: localhost));
    one inventory host per FortiManager lets C(forks) drive many FortiManagers at once."
  - Every run logs out, also after a failure, and releases every workspace lock it took.
"""
