"""A throw-away certificate authority and server certificate for the HTTPS simulator."""

from __future__ import annotations

import os
import ssl
import tempfile


def make_server_context() -> tuple[ssl.SSLContext, str]:
    """Return an SSL context for 127.0.0.1/localhost and the path of the CA certificate (PEM).

    The CA file lives in a fresh temporary directory that the caller removes.
    """
    try:
        import trustme
    except ImportError as exc:  # pragma: no cover - depends on the installed extras
        raise RuntimeError("the HTTPS simulator needs trustme: pip install 'pyfmg[testing]'") from exc
    authority = trustme.CA(organization_name="pyfmg simulator CA")
    server_cert = authority.issue_cert("127.0.0.1", "localhost", common_name="fmg-simulator")
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_cert.configure_cert(context)
    directory = tempfile.mkdtemp(prefix="pyfmg-sim-")
    ca_path = os.path.join(directory, "ca.pem")
    authority.cert_pem.write_to_path(ca_path)
    return context, ca_path
