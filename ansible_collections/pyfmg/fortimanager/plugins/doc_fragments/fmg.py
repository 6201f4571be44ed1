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
      - "Required, unless the task runs with C(connection: httpapi) and
        C(ansible_network_os: pyfmg.fortimanager.fortimanager); then the connection's host,
        credentials and TLS settings are used and one login serves the whole play. A task that
        gives O(host) logs in on its own even then."
    type: str
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
      - "C(access_token) is fortinet.fortimanager's name for it; under C(connection: httpapi) the
        connection uses the key from then on."
    type: str
    aliases: [access_token]
  forticloud_access_token:
    description:
      - OAuth access token obtained from FortiCloud, for a FortiCloud-hosted FortiManager (as in
        fortinet.fortimanager). The task logs in with it instead of O(username)/O(password) and
        does not revoke it; O(api_key) wins when both are given.
      - "Under C(connection: httpapi) the connection uses the token from then on."
    type: str
  use_ssl:
    description: Talk HTTPS (C(true)) or plain HTTP (C(false), only for test setups). E(PYFMG_USE_SSL).
    type: bool
    default: true
  verify_ssl:
    description:
      - Check the FortiManager certificate - V(true) against the system's CAs, or the path of a
        CA bundle (recommended for FortiManager's own or a private CA's certificate), or V(false).
        E(PYFMG_VERIFY_SSL).
      - With V(false) the task warns; anyone on the path could read the credentials.
      - "Under C(connection: httpapi) use C(ansible_httpapi_validate_certs) and
        C(ansible_httpapi_ca_path) instead (also true by default)."
    type: raw
    default: true
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
  workspace_locking_adom:
    description:
      - Lock this whole ADOM (V(global) for the global database) around the task's writes,
        instead of the narrowest lock the request needs (fortinet.fortimanager's option).
      - C(pyfmg.fortimanager.fmg_object) locks only when it must write; a task with nothing to
        change sends no lock, commit or unlock.
    type: str
  lock_wait:
    description:
      - Seconds to keep retrying when another administrator holds the workspace lock.
      - V(0) fails at once with FortiManager's code C(-20055).
      - C(workspace_locking_timeout) is fortinet.fortimanager's name for it.
    type: float
    default: 0
    aliases: [workspace_locking_timeout]
  enable_log:
    description:
      - Return the task's pyfmg debug log in the result as RV(log) - every request and reply,
        with the password, API key, tokens and session id masked - for C(register) or C(-v).
      - fortinet.fortimanager writes its log to C(/tmp/fortimanager.ansible.log) instead; pyfmg
        writes no file.
    type: bool
    default: false
requirements:
  - pyfmg (the Python library) on the host that runs the module, usually the controller.
notes:
  - "Run the modules where the playbook runs: with C(connection: httpapi) (one login per host per
    play; needs the C(ansible.netcommon) collection), or with C(connection: local) /
    C(delegate_to: localhost) and O(host) (one login per task). One inventory host per FortiManager
    lets C(forks) drive many FortiManagers at once."
  - "Under C(connection: httpapi) no module process is started: the collection's action plugin
    checks the task's options and hands the task to the connection process, which already holds
    the logged-in client."
  - Every run logs out (under httpapi, the play's end does), also after a failure, and releases
    every workspace lock it took.
  - Results and failures are masked with pyfmg's Redactor - password, API key and session id never
    reach the output, C(-vvv) included.
"""

    # fortinet.fortimanager's options for which codes fail a task (fmg_rpc, fmg_info: RC_OPTIONS).
    RESULT_CODES = r"""
options:
  rc_succeeded:
    description:
      - FortiManager status codes that count as success besides V(0) (fortinet.fortimanager's
        option), for example V([-2]) to accept "object already exists".
    type: list
    elements: int
  rc_failed:
    description: FortiManager status codes that fail the task, V(0) included when listed.
    type: list
    elements: int
  bypass_validation:
    description:
      - Accepted so that C(fortinet.fortimanager) tasks run unchanged. This module sends what it is
        given as it is; O(pyfmg.fortimanager.fmg_object#module:attributes) are the ones checked
        against the table's schema (see that module's O(pyfmg.fortimanager.fmg_object#module:bypass_validation)).
    type: bool
    default: false
"""
