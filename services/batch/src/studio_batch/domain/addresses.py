"""Which addresses a webhook may be sent to: public ones only, unless the operator allows a host.

A webhook URL is chosen by a user, so without this check the batch service would be a way into the
private network (server-side request forgery): the cloud metadata service, the database, the broker.
The check runs on every address the host name resolves to, at send time, and the connection then goes to
the address that was checked (see adapters/notifiers.py), so a DNS answer cannot change in between.
"""

import ipaddress
from dataclasses import dataclass, field

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network

# Cloud instance-metadata and platform endpoints, named so the refusal says what was reached for. Most
# are link-local or private anyway; 168.63.129.16 (Azure's platform endpoint) is not.
METADATA_ADDRESSES = {
    ipaddress.ip_address(a)
    for a in ("169.254.169.254", "169.254.170.2", "fd00:ec2::254", "100.100.100.200", "168.63.129.16")
}
CARRIER_GRADE_NAT = ipaddress.ip_network("100.64.0.0/10")
NAT64 = ipaddress.ip_network("64:ff9b::/96")


def refusal_reason(address: Address) -> str | None:
    """Why a webhook may not go to this address, or None when it is an ordinary public one."""
    if address in METADATA_ADDRESSES:
        return "a cloud metadata address"
    if isinstance(address, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(address)
        if embedded is not None:
            return (
                "an IPv6 address wrapping an IPv4 one"
                if address.ipv4_mapped
                else _wrapped(refusal_reason(embedded))
            )
    for test, reason in (
        (lambda a: a.is_unspecified, "an unspecified address"),
        (lambda a: a.is_loopback, "a loopback address"),
        (lambda a: a.is_link_local, "a link-local address"),
        (lambda a: a.is_multicast, "a multicast address"),
        (lambda a: a in CARRIER_GRADE_NAT, "a carrier-grade NAT address"),
        (lambda a: a.is_reserved, "a reserved address"),
        (lambda a: a.is_private, "a private address"),
        (lambda a: not a.is_global, "not a public address"),
    ):
        if test(address):
            return reason
    return None


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if address.ipv4_mapped:
        return address.ipv4_mapped
    if address.sixtofour:
        return address.sixtofour
    if address.teredo:
        return address.teredo[1]
    if address in NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def _wrapped(reason: str | None) -> str | None:
    return f"an IPv6 address wrapping {reason}" if reason else None


@dataclass(frozen=True)
class Allowlist:
    """Operator exceptions (STUDIO_WEBHOOK_ALLOWED_HOSTS): host names, addresses or networks, comma
    separated. An allowed host may also be reached over plain http, for receivers inside the cluster."""

    hosts: frozenset[str] = frozenset()
    networks: tuple[Network, ...] = field(default_factory=tuple)

    @classmethod
    def parse(cls, text: str | None) -> "Allowlist":
        hosts, networks = set(), []
        for entry in (part.strip().lower() for part in (text or "").split(",")):
            if not entry:
                continue
            try:
                networks.append(ipaddress.ip_network(entry, strict=False))
            except ValueError:
                hosts.add(entry.rstrip("."))
        return cls(frozenset(hosts), tuple(networks))

    def allows_host(self, host: str) -> bool:
        host = host.lower().rstrip(".").strip("[]")
        if host in self.hosts:
            return True
        try:
            return self.allows_address(ipaddress.ip_address(host))
        except ValueError:
            return False

    def allows_address(self, address: Address) -> bool:
        return any(address.version == net.version and address in net for net in self.networks)
