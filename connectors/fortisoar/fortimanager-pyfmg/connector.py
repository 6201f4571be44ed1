"""FortiSOAR connector for FortiManager; every action is a call into pyfmg's SOAR adapter.

The bundle built by ``pyfmg soar build-fortisoar`` carries its own copy of pyfmg in ``vendor/``; it is
put first on the import path so the adapter always matches this ``info.json``.
"""

import os
import sys

from connectors.core.connector import Connector, ConnectorError, get_logger

_VENDOR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "vendor")
if os.path.isdir(_VENDOR) and _VENDOR not in sys.path:
    sys.path.insert(0, _VENDOR)

from pyfmg.soar import SOARError, check_health, run  # noqa: E402

logger = get_logger("fortimanager-pyfmg")


class FortiManagerPyfmg(Connector):
    """Maps FortiSOAR's execute/check_health onto the adapter; SOARError becomes ConnectorError."""

    def execute(self, config, operation, params, **kwargs):
        try:
            return run(operation, config, params)
        except SOARError as error:
            logger.error("%s failed: %s", operation, error)
            raise ConnectorError(str(error)) from None

    def check_health(self, config):
        try:
            status = check_health(config)
        except SOARError as error:
            logger.error("health check failed: %s", error)
            raise ConnectorError(str(error)) from None
        logger.info("FortiManager %s (%s) reachable", status.get("hostname"), status.get("version"))
        return True
