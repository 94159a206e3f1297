"""Where ``lfr serve`` listens, said truthfully: the scheme (https with a certificate), the host
it is bound to and, on a wildcard address, the machine's own addresses to type on a phone."""

from __future__ import annotations

import ipaddress
import socket
from pathlib import Path

from lfr.errors import LfrError

WILDCARDS = ("0.0.0.0", "::", "")


def tls_files(cert: Path | None, key: Path | None) -> tuple[str, str] | None:
    """Both files, checked to exist, or None for plain http; LfrError for one without the other."""
    if cert is None and key is None:
        return None
    if cert is None or key is None:
        raise LfrError("give both --tls-cert and --tls-key (a certificate and its private key)")
    for option, path in (("--tls-cert", cert), ("--tls-key", key)):
        if not path.is_file():
            raise LfrError(f"{option} {path}: no such file")
    return str(cert), str(key)


def listening_line(host: str, port: int, tls: bool) -> str:
    """'OpenLFR at https://192.0.2.7:8443/' or, bound to all interfaces, the address to use from
    another machine (and a warning when logins from there cannot work over plain http)."""
    scheme = "https" if tls else "http"
    if host not in WILDCARDS:
        return f"OpenLFR at {scheme}://{_url_host(host)}:{port}/ (Ctrl-C stops)"
    others = [a for a in machine_addresses() if not ipaddress.ip_address(a).is_loopback]
    shown = ", ".join(f"{scheme}://{_url_host(a)}:{port}/" for a in others) or "(none found)"
    line = (
        f"OpenLFR on all interfaces, port {port}: {shown}; on this machine:"
        f" {scheme}://127.0.0.1:{port}/ (Ctrl-C stops)"
    )
    if not tls:
        line += (
            "\n  (logging in from another machine needs HTTPS:"
            " lfr serve --tls-cert FILE --tls-key FILE)"
        )
    return line


def machine_addresses() -> list[str]:
    """This machine's IP addresses, as the resolver and the default route know them."""
    found: set[str] = set()
    try:
        for *_, address in socket.getaddrinfo(socket.gethostname(), None):
            found.add(str(address[0]))
    except OSError:
        pass
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:  # no packet is sent: connecting a UDP socket only picks the outgoing address
            probe.connect(("192.0.2.1", 9))
            found.add(str(probe.getsockname()[0]))
        except OSError:
            pass
    return sorted(a for a in found if _usable(a))


def _usable(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address.split("%")[0])
    except ValueError:
        return False
    return not (ip.is_link_local or ip.is_unspecified)


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host
