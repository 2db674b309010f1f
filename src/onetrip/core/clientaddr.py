"""The client's address, as rate limits and the audit trail record it.

Behind load balancers or proxies, REMOTE_ADDR is the last proxy's. With
``ONETRIP_TRUSTED_PROXIES`` = N (the proxies in front of every node, each appending the address
it saw to X-Forwarded-For), the client is the N-th address from the right: the entries further
left were sent by the client itself and prove nothing.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def normal_ip(text: str) -> str | None:
    """The address as the database stores it, or None if it is not an IP address; a port
    some balancers add (``203.0.113.9:4711``, ``[2001:db8::1]:4711``) is dropped."""
    text = text.strip()
    if text.startswith("["):
        text = text[1:].split("]", 1)[0]
    elif text.count(":") == 1:
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text.split("%")[0])
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return f"::ffff:{address.ipv4_mapped}"
    return str(address)


def client_ip(request: HttpRequest) -> str | None:
    """The client's address: from X-Forwarded-For behind trusted proxies, else REMOTE_ADDR."""
    proxies = settings.ONETRIP_TRUSTED_PROXIES
    if proxies > 0:
        hops = [h for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
        if len(hops) >= proxies and (ip := normal_ip(hops[-proxies])):
            return ip
    return normal_ip(request.META.get("REMOTE_ADDR", ""))
