import pytest

from accounts.errors import BadToken
from accounts.passwords import hash_password_sync, verify_password_sync
from accounts.tokens import TokenSigner


def test_passwords_are_salted_scrypt_and_verified() -> None:
    first, second = hash_password_sync("s3cret pass"), hash_password_sync("s3cret pass")
    assert first.startswith("scrypt$") and first != second
    assert "s3cret" not in first
    assert verify_password_sync("s3cret pass", first)
    assert not verify_password_sync("s3cret pasS", first)
    assert not verify_password_sync("s3cret pass", "garbage")


def test_tokens_round_trip_and_expire() -> None:
    signer = TokenSigner(b"k", ttl_ms=1000)
    token, expires = signer.issue("a_0123456789", now_ms=5_000)
    assert expires == 6_000
    assert signer.account_id(token, now_ms=5_999) == "a_0123456789"
    with pytest.raises(BadToken, match="expired"):
        signer.account_id(token, now_ms=6_000)


@pytest.mark.parametrize("mangle", [
    lambda t: t.replace(".", ""),
    lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),
    lambda t: "eyJzdWIiOiAiYV94IiwgImV4cCI6IDk5OTk5OTk5OTk5OTl9." + t.split(".")[1],
    lambda t: t + ".extra",
])
def test_tampered_tokens_are_rejected(mangle) -> None:  # type: ignore[no-untyped-def]
    signer = TokenSigner(b"k", ttl_ms=10**9)
    token, _ = signer.issue("a_0123456789", now_ms=0)
    with pytest.raises(BadToken):
        signer.account_id(mangle(token), now_ms=1)
