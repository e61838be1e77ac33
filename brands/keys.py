"""Every Redis key of the brands package, in one place.

``hc:brand:<id>`` (hash: the brand's fields, webhook URL and secret), ``hc:brand:slug:<slug>``
(the id), ``hc:brands`` (all ids), ``hc:brand:<id>:experts`` (member experts: the router's
candidates), ``hc:brand:<id>:admins`` (accounts with the brand-admin right),
``hc:account:<id>:brands`` (brands an account administers), ``hc:expert:<id>:brands``
(brands an expert belongs to), ``hc:brandinv:<sha256>`` (an open invitation, with a TTL),
``hc:brandkey:<sha256>`` (an API key: brand and key id), ``hc:brand:<id>:keys`` (key id ->
JSON listing), ``hc:brand:<id>:logo`` (an uploaded logo, as kept before the blob store:
moved there when first read). The brand's wallet is
``hc:{a:<brand id>}:wallet`` and its sessions index ``hc:brand:<id>:sessions`` (both named by the
sessions package).
"""

from __future__ import annotations

ALL = "hc:{0}:brands"


def brand(brand_id: str) -> str:
    return f"hc:{{0}}:brand:{brand_id}"


def slug(value: str) -> str:
    return f"hc:{{0}}:brand:slug:{value}"


def experts(brand_id: str) -> str:
    return f"hc:{{0}}:brand:{brand_id}:experts"


def admins(brand_id: str) -> str:
    return f"hc:{{0}}:brand:{brand_id}:admins"


def account_brands(account_id: str) -> str:
    return f"hc:{{0}}:account:{account_id}:brands"


def expert_brands(expert_id: str) -> str:
    return f"hc:{{0}}:expert:{expert_id}:brands"


def invitation(token_hash: str) -> str:
    return f"hc:{{0}}:brandinv:{token_hash}"


def api_key(key_hash: str) -> str:
    return f"hc:{{0}}:brandkey:{key_hash}"


def brand_keys(brand_id: str) -> str:
    return f"hc:{{0}}:brand:{brand_id}:keys"


def logo(brand_id: str) -> str:
    return f"hc:{{0}}:brand:{brand_id}:logo"
