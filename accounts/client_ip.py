"""The address of the person behind a request, for login throttling (django-axes).

Behind a reverse proxy every request comes from the proxy's address, so django-axes would
count every visitor as one (five wrong passwords would lock a user name out for everyone).
The proxy writes the client's address into ``X-Forwarded-For``; that header is believed
only when the request really comes from a proxy listed in ``UNIBRIDGE_TRUSTED_PROXIES``
(addresses or networks), and only as far as the chain of trusted proxies goes: read from
the right, the first address that is not a trusted proxy is the client. Anything a client
writes into the header itself stays to the left of that and is never read."""

from __future__ import annotations

import functools
import ipaddress
from collections.abc import Iterable

from django.conf import settings
from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(values: Iterable[str]) -> tuple[Network, ...]:
    """``["127.0.0.1", "10.0.0.0/8"]`` as networks; ValueError names a malformed one."""
    networks = []
    for value in values:
        try:
            networks.append(ipaddress.ip_network(value.strip(), strict=False))
        except ValueError as exc:
            raise ValueError(f"{value!r} is not an IP address or network") from exc
    return tuple(networks)


@functools.lru_cache(maxsize=8)
def _trusted_networks(values: tuple[str, ...]) -> tuple[Network, ...]:
    return parse_networks(values)


def _address(value: str):
    try:
        return ipaddress.ip_address(value.strip())
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str | None:
    """The client's address: ``REMOTE_ADDR``, or behind trusted proxies the address they
    forwarded (``AXES_CLIENT_IP_CALLABLE``)."""
    remote = request.META.get("REMOTE_ADDR") or None
    trusted = _trusted_networks(tuple(getattr(settings, "UNIBRIDGE_TRUSTED_PROXIES", ())))
    if not trusted or remote is None:
        return remote

    def is_trusted(address) -> bool:
        return address is not None and any(address in network for network in trusted)

    if not is_trusted(_address(remote)):
        return remote
    client = remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    for hop in reversed([part for part in forwarded.split(",") if part.strip()]):
        address = _address(hop)
        if address is None:  # not written by a proxy of ours: stop at the last good hop
            break
        client = str(address)
        if not is_trusted(address):
            break
    return client
