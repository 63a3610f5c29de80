"""Which IP addresses a server-side fetch may connect to: a pure rule, no network. Everything
that is not a public unicast address is forbidden (loopback, private, shared, link-local,
unspecified, multicast, reserved, broadcast, documentation), IPv4 and IPv6 alike; and how
hosts compare against an allow-list."""

from __future__ import annotations

import ipaddress

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# Spelled out as well as asked of the stdlib flags, whose tables have changed between Python
# releases: these ranges stay forbidden whatever the running interpreter thinks of them.
_FORBIDDEN_V4 = tuple(
    ipaddress.IPv4Network(net)
    for net in (
        "0.0.0.0/8",  # "this network", unspecified
        "10.0.0.0/8",
        "100.64.0.0/10",  # carrier-grade NAT, shared address space
        "127.0.0.0/8",
        "169.254.0.0/16",  # link-local, cloud metadata services
        "172.16.0.0/12",
        "192.0.0.0/24",  # IETF protocol assignments
        "192.168.0.0/16",
        "198.18.0.0/15",  # benchmarking
        "224.0.0.0/4",  # multicast
        "240.0.0.0/4",  # reserved, and 255.255.255.255 broadcast
    )
)
_FORBIDDEN_V6 = tuple(
    ipaddress.IPv6Network(net)
    for net in (
        "::/8",  # unspecified, loopback, IPv4-compatible, NAT64 well-known prefix
        "100::/64",  # discard-only
        "2001::/23",  # IETF protocol assignments, Teredo
        "2001:db8::/32",  # documentation
        "fc00::/7",  # unique local
        "fe80::/10",  # link-local
        "fec0::/10",  # site-local (deprecated, still routable inside some networks)
        "ff00::/8",  # multicast
    )
)


def is_forbidden(ip: IPAddress | str) -> bool:
    """True when a fetch must not connect to `ip`. Addresses that embed an IPv4 address
    (IPv4-mapped ::ffff:a.b.c.d, 6to4 2002:a.b.c.d::) are judged by the address they embed."""
    address = ipaddress.ip_address(ip) if isinstance(ip, str) else ip
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is not None:
            return is_forbidden(embedded)
        if any(address in net for net in _FORBIDDEN_V6):
            return True
    elif any(address in net for net in _FORBIDDEN_V4):
        return True
    return (
        not address.is_global
        or address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
    )


def host_key(host: str) -> str:
    """A host as an allow-list compares it: names case-insensitively, IP literals by value
    (`[::1]`, `::1` and `0:0::1` are one host)."""
    host = host.strip().lower().removeprefix("[").removesuffix("]")
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        return host
