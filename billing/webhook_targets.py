"""Where a brand's webhook may point (protocol §7.6): https, public addresses only.

A brand admin chooses the URL, and the server POSTs to it: without a rule, that URL could
be ``http://169.254.169.254/`` (cloud metadata), ``http://[::1]:6379/`` (our own Redis) or
any host of the private network. So a URL must be ``https://`` and every address its host
resolves to must be public, unless all of them are in ``HELPCALL_WEBHOOK_ALLOWED_NETWORKS``
(then ``http://`` is allowed too). The check runs when the URL is saved and again at each
delivery, after DNS resolution, and the delivery connects to the very addresses checked
(``CheckedResolver``): a name that resolved to a public address at save time and to
``127.0.0.1`` later is refused then.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Sequence
from dataclasses import dataclass
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network
from urllib.parse import urlsplit

from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import ThreadedResolver

Address = IPv4Address | IPv6Address
Network = IPv4Network | IPv6Network

# IPv6 prefixes that carry an IPv4 address a gateway may connect to (NAT64).
_NAT64 = (IPv6Network("64:ff9b::/96"), IPv6Network("64:ff9b:1::/48"))


class RefusedTarget(ValueError):
    """A webhook URL we will not call; the message names no address or credential."""


def _embedded_ipv4(address: IPv6Address) -> IPv4Address | None:
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    if any(address in net for net in _NAT64):
        return IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def is_public(address: Address) -> bool:
    """Globally routable unicast: never loopback, private, link-local, shared, reserved..."""
    if isinstance(address, IPv6Address):
        inner = _embedded_ipv4(address)
        if inner is not None:
            return is_public(inner)
    return address.is_global and not address.is_multicast


@dataclass(frozen=True)
class TargetPolicy:
    allowed: tuple[Network, ...] = ()

    def _allowed(self, address: Address) -> bool:
        return any(address.version == net.version and address in net for net in self.allowed)

    def check(self, scheme: str, addresses: Sequence[Address]) -> None:
        if not addresses:
            raise RefusedTarget("the webhook host does not resolve to any address")
        if all(self._allowed(a) for a in addresses):
            return  # an operator's exception: http:// allowed there
        if scheme != "https":
            raise RefusedTarget("a webhook URL must be https://")
        if not all(self._allowed(a) or is_public(a) for a in addresses):
            raise RefusedTarget("the webhook host resolves to a non-public address")


def split_url(url: str) -> tuple[str, str, int]:
    """``(scheme, host, port)`` of a webhook URL, or ``RefusedTarget``."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise RefusedTarget("the webhook URL is not a valid URL") from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        raise RefusedTarget("a webhook URL must be https:// with a host")
    return scheme, parts.hostname, port or (443 if scheme == "https" else 80)


def _literal(host: str) -> Address | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


async def _resolve(host: str, port: int) -> list[Address]:
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise RefusedTarget("the webhook host does not resolve") from None
    found = [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]
    return list(dict.fromkeys(found))


def check_literal(scheme: str, host: str, policy: TargetPolicy) -> None:
    """An IP literal is connected to as written (no resolver): check it as it is."""
    literal = _literal(host)
    if literal is not None:
        policy.check(scheme, [literal])


async def check_url(url: str, policy: TargetPolicy) -> None:
    """Raise ``RefusedTarget`` unless ``url`` may receive webhooks now."""
    scheme, host, port = split_url(url)
    literal = _literal(host)
    addresses = [literal] if literal is not None else await _resolve(host, port)
    policy.check(scheme, addresses)


class CheckedResolver(AbstractResolver):
    """aiohttp's resolver for one delivery: answers only addresses the policy accepts.

    aiohttp then connects to exactly these addresses (TLS still checks the host's name),
    so nothing can change between the check and the connection.
    """

    def __init__(self, policy: TargetPolicy, scheme: str) -> None:
        self._policy = policy
        self._scheme = scheme
        self._inner = ThreadedResolver()

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        try:
            results = await self._inner.resolve(host, port, family)
        except OSError:
            raise RefusedTarget("the webhook host does not resolve") from None
        addresses = [ipaddress.ip_address(r["host"].split("%")[0]) for r in results]
        self._policy.check(self._scheme, addresses)
        return results

    async def close(self) -> None:
        await self._inner.close()
