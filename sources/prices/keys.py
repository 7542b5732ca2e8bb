"""How the price sources send an API key: in a request header, never in the URL, so archived
URLs, logs and replay keys carry no secret (the session also redacts registered keys)."""

from __future__ import annotations

from sources.http import FetchSession


def key_headers(session: FetchSession, header: str = "Authorization",
                scheme: str | None = "Bearer") -> dict[str, str] | None:
    """``{header: "<scheme> <key>"}`` when the session has a key, else None (keyless call)."""
    if not session.api_key:
        return None
    return {header: f"{scheme} {session.api_key}" if scheme else session.api_key}
