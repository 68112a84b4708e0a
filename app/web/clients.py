"""Who is calling: the client address that password throttles count by.

The address is the socket peer. `X-Forwarded-For` is believed only when the peer is one of the proxies the
operator listed (`COUNTERPOINT_TRUSTED_PROXIES`), and then only its right-most entry that is not itself a
listed proxy: the address the outermost trusted proxy saw. Anything to the left of that was written by the
client and proves nothing. Uvicorn would otherwise rewrite the peer from that header for any loopback
peer (its `FORWARDED_ALLOW_IPS`), so a script on the machine, or any user behind a proxy on it, could
name a new address on every guess; `distrust_forwarded_headers()` turns that off before launch.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Iterable, Sequence
from typing import Any

from app.debate.errors import CounterpointError

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
UNKNOWN = "unknown"
MAX_ADDRESS_CHARS = 64


def distrust_forwarded_headers() -> None:
    """Make uvicorn keep the socket peer as the client, whatever headers say (we read them ourselves)."""
    os.environ["FORWARDED_ALLOW_IPS"] = ""  # an empty list: no peer's X-Forwarded-For is applied


def trusted_networks(entries: Iterable[str]) -> tuple[Network, ...]:
    """`["10.0.0.1", "10.1.0.0/16"]` as networks; a clear error for anything else."""
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError as exc:
            raise CounterpointError(
                f"COUNTERPOINT_TRUSTED_PROXIES: '{entry}' is not an IP address or network (e.g. 10.0.0.1, 10.0.0.0/8)"
            ) from exc
    return tuple(networks)


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    value = text.strip().strip('"')
    if value.startswith("[") and "]" in value:  # "[2001:db8::1]:4711"
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # "192.0.2.1:4711"
        value = value.partition(":")[0]
    try:
        found = ipaddress.ip_address(value)
    except ValueError:
        return None
    if isinstance(found, ipaddress.IPv6Address) and found.ipv4_mapped is not None:
        return found.ipv4_mapped
    return found


def _trusted(address: ipaddress.IPv4Address | ipaddress.IPv6Address | None, trusted: Sequence[Network]) -> bool:
    return address is not None and any(address.version == net.version and address in net for net in trusted)


def client_address(peer: str | None, forwarded: Iterable[str], trusted: Sequence[Network]) -> str:
    """The client's address: `peer`, or (when `peer` is a trusted proxy) the right-most untrusted hop of the
    `X-Forwarded-For` values `forwarded` (all hops trusted: the left-most; no header: the peer)."""
    if not peer:
        return UNKNOWN
    peer_address = _address(peer)
    if not _trusted(peer_address, trusted):
        return str(peer_address or peer)[:MAX_ADDRESS_CHARS]
    hops = [hop.strip() for value in forwarded for hop in value.split(",") if hop.strip()]
    for hop in reversed(hops):
        address = _address(hop)
        if not _trusted(address, trusted):
            return str(address or hop)[:MAX_ADDRESS_CHARS]
    return str(_address(hops[0]) or hops[0]) if hops else str(peer_address)


def throttle_key(address: str) -> str:
    """What a throttle counts by: an IPv4 address, or an IPv6 address's /64 (one home or school network
    holds a whole /64, so its addresses are one guesser)."""
    found = _address(address)
    if isinstance(found, ipaddress.IPv6Address):
        return str(ipaddress.ip_network(f"{found}/64", strict=False))
    return address


def request_client(request: Any, trusted: Sequence[Network]) -> str:
    """The `throttle_key` of a `gr.Request`'s (or a Starlette request's) client; "unknown" without one."""
    client = getattr(request, "client", None) if request is not None else None
    peer = getattr(client, "host", None) or (client.get("host") if isinstance(client, dict) else None)
    headers = getattr(request, "headers", None) if request is not None else None
    return throttle_key(client_address(peer, _forwarded_values(headers), trusted))


def scope_client(scope: dict[str, Any], trusted: Sequence[Network]) -> str:
    """The `throttle_key` of an ASGI scope's client (for middleware)."""
    client = scope.get("client")
    peer = client[0] if client else None
    values = [v.decode("latin-1") for k, v in scope.get("headers") or [] if k.lower() == b"x-forwarded-for"]
    return throttle_key(client_address(peer, values, trusted))


def _forwarded_values(headers: Any) -> list[str]:
    if headers is None:
        return []
    if hasattr(headers, "getlist"):
        return [str(v) for v in headers.getlist("x-forwarded-for")]
    if isinstance(headers, dict):
        return [str(v) for k, v in headers.items() if str(k).lower().replace("_", "-") == "x-forwarded-for"]
    value = getattr(headers, "get", lambda key: None)("x-forwarded-for")
    return [str(value)] if value else []
