"""pyfmg: a client for the FortiManager JSON-RPC API, drop-in compatible with pyFMG 0.8.6."""

import logging

__version__ = "1.0.0"

logging.getLogger(__name__).addHandler(logging.NullHandler())
