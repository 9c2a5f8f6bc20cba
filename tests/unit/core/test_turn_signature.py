"""The gateway's signature on turn metadata: believed only when right, fresh and for this conversation."""

from __future__ import annotations

from cobranza.core import turn_signature

META = {"debtor_ref": "D1", "contact_id": 7, "today": "2026-12-03", "channel": "whatsapp"}


def test_signed_metadata_is_believed_as_it_was_sent() -> None:
    signed = turn_signature.sign(META, "s3cret", "wa-573005550177", now=1000)
    assert turn_signature.verified(signed, "s3cret", "wa-573005550177", now=1010) == META


def test_anything_else_is_an_unknown_sender() -> None:
    signed = turn_signature.sign(META, "s3cret", "wa-573005550177", now=1000)
    assert turn_signature.verified(META, "s3cret", "wa-573005550177", now=1000) == {}  # unsigned
    assert turn_signature.verified(signed, "other", "wa-573005550177", now=1000) == {}  # another key
    assert turn_signature.verified(signed, "s3cret", "wa-573009990000", now=1000) == {}  # another conversation
    assert turn_signature.verified({**signed, "debtor_ref": "D2"}, "s3cret", "wa-573005550177", now=1000) == {}
    assert turn_signature.verified(signed, "s3cret", "wa-573005550177", now=1000 + 301) == {}  # stale
    assert turn_signature.verified({**signed, "signed_at": "x"}, "s3cret", "wa-573005550177", now=1000) == {}
    assert turn_signature.verified("not a dict", "s3cret", "wa-573005550177") == {}


def test_without_a_secret_nothing_is_signed_or_believed() -> None:
    assert turn_signature.sign(META, None, "wa-1") == META
    signed = turn_signature.sign(META, "s3cret", "wa-1", now=1000)
    assert turn_signature.verified(signed, None, "wa-1", now=1000) == {}
    assert turn_signature.verified(signed, "", "wa-1", now=1000) == {}
