"""Strip credentials from source URLs before they reach a log line or an error message."""

from __future__ import annotations

import re

_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*://)(.*)$", re.DOTALL)
# Substrings of query-parameter names that carry secrets (password, passwd, access_token,
# api_key, auth, client_secret, ...). Over-redacting a harmless parameter is the safe failure.
_SECRET_NAME = re.compile(r"pass|pwd|token|key|auth|secret|signature|credential", re.IGNORECASE)
MASK = "***"


def redact_url(url: str) -> str:
    """Return ``url`` with any user[:password] and secret-looking query values replaced by ***.

    ``rtsp://admin:secret@10.0.0.5:554/stream`` -> ``rtsp://***@10.0.0.5:554/stream``.
    Strings without a ``scheme://`` (file paths, webcam indices) come back unchanged.
    """
    match = _SCHEME.match(url)
    if match is None:
        return url
    scheme, rest = match.groups()
    rest = _redact_userinfo(rest)
    rest, fragment = _split_once(rest, "#")
    rest, query = _split_once(rest, "?")
    out = scheme + rest
    if query is not None:
        out += "?" + _redact_params(query)
    if fragment is not None:
        # Fragments are sometimes used for tokens too (``#access_token=...``).
        out += "#" + _redact_params(fragment)
    return out


def _redact_userinfo(rest: str) -> str:
    end = _first_index(rest, "/?#")
    authority = rest[:end]
    if "@" in authority:
        return MASK + "@" + authority.rsplit("@", 1)[1] + rest[end:]
    # A password holding '/', '?' or '#' cuts the authority short ("admin:se/cret@host"), which
    # shows up as a non-numeric port. Treat that as a credential rather than leak it.
    hostport = authority.rsplit("]", 1)[-1]  # skip IPv6 literals like [::1]
    if ":" in hostport:
        port = hostport.rsplit(":", 1)[1]
        if port and not port.isdigit():
            at = rest.rfind("@")
            return MASK + "@" + rest[at + 1 :] if at >= 0 else MASK + rest[end:]
    return rest


def _redact_params(params: str) -> str:
    parts = []
    for part in params.split("&"):
        name, sep, _value = part.partition("=")
        parts.append(f"{name}={MASK}" if sep and _SECRET_NAME.search(name) else part)
    return "&".join(parts)


def _split_once(text: str, sep: str) -> tuple[str, str | None]:
    head, found, tail = text.partition(sep)
    return (head, tail) if found else (text, None)


def _first_index(text: str, chars: str) -> int:
    hits = [i for i in (text.find(c) for c in chars) if i >= 0]
    return min(hits) if hits else len(text)


_URL_IN_TEXT = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*://\S+")


def redact_text(text: str) -> str:
    """Redact every URL inside free text, such as an exception message from a decoder."""
    return _URL_IN_TEXT.sub(lambda m: redact_url(m.group(0)), text)
