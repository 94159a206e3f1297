"""``lfr serve`` over the network: with ``--tls-cert``/``--tls-key`` it serves HTTPS, prints the
real URL, and a member of staff logs in through the login page from a non-loopback address of
this machine; served over plain http on all interfaces, the login page says why logging in
cannot work there and what to do instead."""

from __future__ import annotations

import ipaddress
import os
import re
import socket
import ssl
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from lfr.cli.engine.listen import machine_addresses
from tests.waiting import PATIENCE_S, wait_until

PASSWORD = "correct horse battery staple"


def _network_address() -> str | None:
    found = [a for a in machine_addresses() if not ipaddress.ip_address(a).is_loopback]
    return next((a for a in found if ":" not in a), None)


def _self_signed(folder: Path, addresses: list[str]) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "openlfr test")])
    now = datetime.now(UTC)
    names: list[x509.GeneralName] = [x509.DNSName("localhost")]
    names += [x509.IPAddress(ipaddress.ip_address(a)) for a in addresses]
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert, key_file = folder / "cert.pem", folder / "key.pem"
    cert.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    key_file.chmod(0o600)
    return cert, key_file


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("0.0.0.0", 0))
        return int(probe.getsockname()[1])


def _lfr(home: Path, *args: str, stdin: str | None = None) -> subprocess.Popen[str]:
    env = {**os.environ, "HOME": str(home), "LFR_DATA_DIR": str(home / "data")}
    for name in ("LFR_DATABASE_URL", "LFR_SESSION_KEY", "LFR_USER", "LFR_PASSWORD"):
        env.pop(name, None)
    return subprocess.Popen(
        [sys.executable, "-m", "lfr", *args],
        cwd=home,
        env=env,
        stdin=subprocess.PIPE if stdin is not None else None,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


@pytest.fixture
def home(tmp_path: Path) -> Path:
    init = _lfr(tmp_path, "init", "--admin", "ada", "--password-stdin", stdin=PASSWORD + "\n")
    output, _ = init.communicate(PASSWORD + "\n", timeout=PATIENCE_S * 4)
    assert init.returncode == 0, output
    return tmp_path


class Served:
    def __init__(self, home: Path, *args: str) -> None:
        self.out = home / f"serve-{len(list(home.glob('serve-*.out')))}.out"
        with self.out.open("w") as out:
            env = {**os.environ, "HOME": str(home), "LFR_DATA_DIR": str(home / "data")}
            for name in ("LFR_DATABASE_URL", "LFR_SESSION_KEY"):
                env.pop(name, None)
            self.process = subprocess.Popen(
                [sys.executable, "-m", "lfr", "serve", *args],
                cwd=home,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )

    def output(self) -> str:
        return self.out.read_text()

    def wait_for(self, url: str, verify: ssl.SSLContext | bool) -> None:
        def answers() -> bool:
            if self.process.poll() is not None:
                raise AssertionError(f"lfr serve exited: {self.output()}")
            try:
                return httpx.get(url, verify=verify, timeout=2).status_code == 200
            except httpx.HTTPError:
                return False

        wait_until(answers, timeout=PATIENCE_S * 6, what="lfr serve to answer")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=PATIENCE_S * 2)


@pytest.fixture
def served(home: Path) -> Iterator[list[Served]]:
    servers: list[Served] = []
    yield servers
    for server in servers:
        server.stop()


def _login_token(page: str) -> str:
    found = re.search(r'name="login_token" value="([^"]+)"', page)
    assert found, page
    return found.group(1)


def test_staff_log_in_over_https_from_another_machine(home: Path, served: list[Served]) -> None:
    address = _network_address()
    cert, key = _self_signed(home, ["127.0.0.1", *([address] if address else [])])
    port = _free_port()
    served.append(
        Served(home, "--host", "0.0.0.0", "--port", str(port), "--tls-cert", str(cert),
               "--tls-key", str(key))
    )  # fmt: skip
    # A non-loopback address of this machine, as a phone would use; else the Host header says
    # the request came from elsewhere (a sandbox without a network interface).
    base = f"https://{address or '127.0.0.1'}:{port}"
    headers = {} if address else {"Host": f"lfr.example:{port}"}
    trust = ssl.create_default_context(cafile=str(cert))
    served[0].wait_for(f"{base}/public", trust)
    printed = served[0].output()
    assert "on all interfaces" in printed and f"https://127.0.0.1:{port}/" in printed
    if address:
        assert f"https://{address}:{port}/" in printed

    with httpx.Client(base_url=base, verify=trust, headers=headers) as browser:
        form = browser.get("/login")
        assert form.status_code == 200
        assert 'data-testid="login-needs-https"' not in form.text
        assert "Secure" in form.headers["set-cookie"]
        response = browser.post(
            "/login",
            data={"username": "ada", "password": PASSWORD, "login_token": _login_token(form.text)},
        )
        assert response.status_code == 303, response.text
        assert response.headers["location"] == "/users"
        assert browser.get("/users").status_code == 200  # the session cookie came back


def test_over_plain_http_the_login_page_says_why_not_and_what_to_do(
    home: Path, served: list[Served]
) -> None:
    address = _network_address()
    port = _free_port()
    served.append(Served(home, "--host", "0.0.0.0", "--port", str(port)))
    base = f"http://{address or '127.0.0.1'}:{port}"
    headers = {} if address else {"Host": f"lfr.example:{port}"}
    served[0].wait_for(f"http://127.0.0.1:{port}/public", False)
    assert "needs HTTPS: lfr serve --tls-cert FILE --tls-key FILE" in served[0].output()

    with httpx.Client(base_url=base, headers=headers) as browser:
        form = browser.get("/login")
        assert 'data-testid="login-needs-https"' in form.text
        assert "lfr serve --tls-cert FILE --tls-key FILE" in form.text
        # The browser drops the Secure cookie on http (httpx too): no "form expired" riddle.
        response = browser.post(
            "/login",
            data={"username": "ada", "password": PASSWORD, "login_token": _login_token(form.text)},
        )
        assert response.status_code == 400
        assert "Log in over HTTPS" in response.text
        assert "The login form expired" not in response.text
