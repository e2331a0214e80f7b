"""Bytes of a text file to a string: BOMs, UTF-8, repaired mixes, legacy code pages (pure).

:func:`decode_text` raises :class:`Unloadable` with a short reason when the bytes are not
text; the loaders add the file's name.
"""

from __future__ import annotations

import codecs
import re
import unicodedata

__all__ = ["BOMS", "Unloadable", "checked", "decode_text", "short"]


class Unloadable(Exception):
    """A reason why a file cannot be loaded; :func:`ingest.loaders.load_file` adds the path."""


BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE: it starts with the same bytes
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# Control bytes that do not occur in text (tab, LF, VT, FF, CR and ESC do).
_CONTROL_BYTES = bytes([*range(0, 9), *range(14, 27), *range(28, 32), 127])
_BAD_CHARS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f\ufffd\ue000-\uf8ff\ud800-\udfff]")
# A non-ASCII character between two letters; a symbol there ("og³osi³a") is mojibake.
_WORD_INTERNAL = re.compile(r"(?<=[^\W\d_])[^\x00-\x7f](?=[^\W\d_])")
# Symbols, digits and "other" punctuation ("³", "¤", "±", "¿"); not quotes or dashes.
_MOJIBAKE_CATEGORIES = frozenset({"Sm", "Sc", "Sk", "So", "No", "Nd", "Nl", "Po"})
# A word of accented Latin letters only ("Ìîñêâà"): another script read as Latin.
_ACCENTED_WORD = re.compile(
    r"(?<![^\W\d_])[\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f]{3,}(?![^\W\d_])"
)
_MULTIBYTE = ("utf_16", "utf_32", "big5", "gb", "hz", "euc", "shift", "cp9", "iso2022", "johab")


def _legacy_fallback(err: UnicodeError) -> tuple[str, int]:
    """Codec error handler: decode bytes that are not UTF-8 as Windows-1252."""
    if not isinstance(err, UnicodeDecodeError):
        raise err
    chunk = err.object[err.start : err.end]
    return chunk.decode("cp1252", errors="replace"), err.end


codecs.register_error("pressroom-cp1252", _legacy_fallback)


def decode_text(data: bytes) -> str:
    """Decode the bytes of a text file; raise :class:`Unloadable` if they are not text.

    Order: a UTF-16/32 BOM; UTF-8 (with or without a BOM); mostly UTF-8 with a few
    Windows-1252 bytes (decoded run by run); a legacy single-byte encoding chosen with
    charset-normalizer (Windows-1252 on a tie); UTF-8 with replacement characters if
    they are rare.
    """
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]  # then as UTF-8 without one, repairs included
    for bom, encoding in BOMS:
        if data.startswith(bom):
            try:
                return checked(data[len(bom) :].decode(encoding))
            except UnicodeDecodeError:
                raise Unloadable(f"undecodable text (invalid {encoding.upper()})") from None
    head = data[:65536]
    if b"\x00" in head:
        utf16 = _guess_utf16(head)
        if utf16 is None:
            raise Unloadable("binary content (NUL bytes), not text")
        try:
            return checked(data.decode(utf16))
        except UnicodeDecodeError:
            raise Unloadable("binary content (NUL bytes), not text") from None
    if len(head.translate(None, _CONTROL_BYTES)) < 0.95 * len(head):
        raise Unloadable("binary content (control bytes), not text")
    try:
        return checked(data.decode("utf-8"))
    except UnicodeDecodeError:
        pass
    valid = data.decode("utf-8", errors="ignore")
    invalid = len(data) - len(valid.encode("utf-8"))  # bytes that are not valid UTF-8
    valid_multibyte = len(valid.encode("utf-8")) - len(valid.encode("ascii", errors="ignore"))
    if valid_multibyte >= max(1, invalid // 10):
        return checked(data.decode("utf-8", errors="pressroom-cp1252"))
    legacy = _decode_legacy(data)
    if legacy is not None:
        return checked(legacy)
    text = data.decode("utf-8", errors="replace")
    if text.count("\ufffd") <= max(1, len(text) // 1000):
        return checked(text)
    raise Unloadable("undecodable text (not UTF-8 and no single-byte encoding fits)")


def _guess_utf16(head: bytes) -> str | None:
    """Recognise UTF-16 without a BOM by its NUL bytes in every other position."""
    pairs = len(head) // 2
    if pairs < 2 or len(head) % 2:
        return None
    even, odd = head[0::2].count(0), head[1::2].count(0)
    if odd >= 0.4 * pairs and even <= 0.05 * pairs:
        return "utf-16-le"
    if even >= 0.4 * pairs and odd <= 0.05 * pairs:
        return "utf-16-be"
    return None


def _decode_legacy(data: bytes) -> str | None:
    """Decode bytes in a single-byte encoding, or return None if none fits."""
    from charset_normalizer import from_bytes

    matches = [m for m in from_bytes(data) if not m.encoding.startswith(_MULTIBYTE)]
    try:
        cp1252 = data.decode("cp1252")
    except UnicodeDecodeError:
        cp1252 = None
    if not matches:
        return cp1252  # None if it does not fit either
    best_chaos = min(m.chaos for m in matches)
    candidates = [str(m) for m in matches if m.chaos <= best_chaos + 0.02]
    if cp1252 is not None:
        candidates.insert(0, cp1252)  # charset-normalizer misjudges short texts; first wins ties
    return min(candidates, key=_mojibake_score)  # min() keeps the first of equals


def _mojibake_score(text: str) -> int:
    """Count signs of a wrong code page: symbols inside words ("og³osi³a"), controls."""
    symbols = sum(
        1
        for m in _WORD_INTERNAL.finditer(text)
        if unicodedata.category(m.group()) in _MOJIBAKE_CATEGORIES
    )
    score = symbols + 5 * len(_BAD_CHARS.findall(text))
    return score + 3 * len(_ACCENTED_WORD.findall(text))


def checked(text: str) -> str:
    """Refuse decoded text that is mostly control, private-use or replacement characters."""
    sample = text[:65536]
    if sample and len(_BAD_CHARS.findall(sample)) > 0.05 * len(sample):
        raise Unloadable("undecodable text (mostly non-text characters)")
    return text


def short(exc: BaseException, limit: int = 120) -> str:
    """An exception's message on one line, cut to ``limit`` characters."""
    message = " ".join(str(exc).split()) or type(exc).__name__
    return message if len(message) <= limit else message[: limit - 3] + "..."
