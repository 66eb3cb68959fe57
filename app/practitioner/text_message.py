"""How many text messages (SMS) a plain-text hand-over takes.

A message in the GSM 7-bit alphabet holds 160 characters, or 153 per part
when it is sent in parts; the characters of the extension table (``€``,
``[``...) count twice. Any other character (Polish ``ł``, Bengali, Arabic, an
emoji) sends the whole text as UCS-2: 70 characters, 67 per part, counted
in UTF-16 units.
"""

from __future__ import annotations

from dataclasses import dataclass

GSM_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà")
GSM_EXTENSION = set("^{}\\[~]|€\f")


@dataclass(frozen=True)
class MessageSize:
    characters: int  # as the phone counts them: septets for GSM, UTF-16 units for UCS-2
    messages: int
    unicode: bool


def message_size(text: str) -> MessageSize:
    """The length of ``text`` as a phone counts it, and the number of messages it is sent as."""
    if all(char in GSM_BASIC or char in GSM_EXTENSION for char in text):
        length = sum(2 if char in GSM_EXTENSION else 1 for char in text)
        single, part, unicode = 160, 153, False
    else:
        length = len(text.encode("utf-16-le")) // 2
        single, part, unicode = 70, 67, True
    messages = 1 if length <= single else -(-length // part)
    return MessageSize(length, messages, unicode)
