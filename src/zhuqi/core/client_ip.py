"""The client's address, for sign-in throttling and the token log.

Behind a load balancer every request comes from the proxy's address; the client's is in
X-Forwarded-For. That header is written by whoever sends the request, so it is read only when the
request comes from a proxy listed in `ZHUQI_TRUSTED_PROXIES` (addresses or networks, e.g.
`10.0.0.0/8`), and then from the right: each trusted proxy appends the address it received the
request from, so the right-most address that is not a trusted proxy is the client. The left-most
one — what django-ipware picks by default — is whatever the client chose to write.

django-axes would hand the address to django-ipware, whose trusted proxies are string prefixes and
which is not installed here; these few lines with `ipaddress` networks are the whole rule.
"""

import ipaddress
from functools import lru_cache

from django.conf import settings


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(e.strip(), strict=False) for e in entries if e.strip())


def _address(text: str):
    text = text.strip()
    if text.startswith("[") and "]" in text:  # [2001:db8::1]:443
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # 203.0.113.5:443
        text = text.split(":")[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def _trusted(address, networks) -> bool:
    return address is not None and any(address in net for net in networks)


def client_ip(request) -> str | None:
    remote = request.META.get("REMOTE_ADDR")
    networks = _networks(tuple(settings.ZHUQI_TRUSTED_PROXIES))
    if not networks or not _trusted(_address(remote or ""), networks):
        return remote
    hops = [h for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:
            break  # garbage a proxy would not write: stop at the last address we can vouch for
        if not _trusted(address, networks):
            return str(address)
        remote = str(address)
    return remote
