"""FortiSOAR connector for FortiManager; every action is a call into pyfmg's SOAR adapter.

The bundle built by ``pyfmg soar build-fortisoar`` carries its own copy of pyfmg, renamed for this
connector version: ``vendor/_pyfmg_<connector>_<version>_<hash>/``. FortiSOAR runs the actions of
all installed connectors in one process, so the copy is loaded under that name and never as
``pyfmg``: two versions of this connector side by side each run their own copy, and neither
changes ``sys.path`` or what ``import pyfmg`` gives other code. From a source checkout (no
``vendor/``) the installed pyfmg is used.
"""

import importlib
import importlib.util
import os
import sys

from connectors.core.connector import Connector, ConnectorError, get_logger

_VENDOR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "vendor")


def _load_adapter():
    """The SOAR adapter of the vendored copy (loaded once per name), else of the installed pyfmg."""
    names = []
    if os.path.isdir(_VENDOR):
        names = sorted(n for n in os.listdir(_VENDOR) if os.path.isfile(os.path.join(_VENDOR, n, "__init__.py")))
    if not names:
        return importlib.import_module("pyfmg.soar")
    package = names[0]
    if package not in sys.modules:
        folder = os.path.join(_VENDOR, package)
        spec = importlib.util.spec_from_file_location(
            package, os.path.join(folder, "__init__.py"), submodule_search_locations=[folder]
        )
        module = importlib.util.module_from_spec(spec)
        sys.modules[package] = module
        try:
            spec.loader.exec_module(module)
        except BaseException:
            del sys.modules[package]
            raise
    return importlib.import_module(package + ".soar")


_adapter = _load_adapter()
SOARError, check_health, run = _adapter.SOARError, _adapter.check_health, _adapter.run

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
