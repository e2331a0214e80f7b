"""Script and style junk out of a release's text, for every format (pure).

Wire pages scraped to Markdown or text keep what a browser never shows as text: an ad
server's JavaScript (``if (!window.AdButler){(function(){var s = document.createElement(...``
run into the next sentence), a chat widget's CSS (``df-messenger { z-index: 999; ... }``
glued to "The post ... appeared first on ..."), ``<script>``/``<style>`` blocks, JSON-LD,
tracking pixels and stray tags left in a ``.txt`` or a PDF's text. :func:`strip_code` cuts
them out before the text is normalised and stored, so no passage, answer or keyword holds
them. HTML and Markdown lose their ``<script>``/``<style>`` elements in the HTML parser
already (:mod:`ingest.html`); this pass catches the code that arrives as text.

A span is cut only when it parses as code from end to end: JavaScript statements whose
brackets and strings balance, CSS rules of ``property: value;`` declarations, a JSON object
opening with ``"@context"``. Prose with a bracket or a semicolon is left alone.

Example:
    >>> strip_code('Text. var a = 1; document.write("<div></div>"); More text.')
    'Text.   More text.'
    >>> strip_code("Revenue rose (see table) by 5%; margins held.")
    'Revenue rose (see table) by 5%; margins held.'
"""

from __future__ import annotations

import re

__all__ = ["strip_code"]

# Where a JavaScript statement starts.
_JS_START = re.compile(
    r"""(?x)
    (?<![\w$.])(?:
        if\s*\(\s*!?\s*(?:window|document|typeof)\b
      | \(\s*function\s*\(
      | (?:var|let|const)\s+[A-Za-z_$][\w$]*\s*=(?!=)
      | function\s+[A-Za-z_$][\w$]*\s*\([\w$,\s]*\)\s*\{
      | (?:window|document)\.[\w$.]+\s*(?:\(|=(?!=))
      | [A-Za-z_$][\w$]*(?:\.[\w$]+)*\.(?:push|register|cmd\.push|addEventListener|ready)\(
      | \$\(\s*(?:function|document|window)\b
    )
    """
)
# What may follow a finished statement and still be code: another statement, a block.
_JS_NEXT = re.compile(
    r"""(?x)
    [{}();,]
  | else\b | return\b | try\b | catch\b
  | (?:var|let|const)\s+[A-Za-z_$]
  | function\s*[\w$]*\s*\(
  | [A-Za-z_$][\w$]*(?:\.[\w$]+)+\s*(?:\(|=(?!=)|\+\+)
  | [A-Za-z_$][\w$]*\s*(?:=(?!=)|\+\+|\+=)
  | [A-Za-z_$][\w$]*\(
    """
)
# Code words: a cut span must hold some (a bracketed aside in prose holds none).
_JS_WORDS = re.compile(
    r"\b(?:function|var|let|const|window|document|createElement|getElementsBy\w+|parentNode|"
    r"insertBefore|async|push|typeof|undefined|null|true|false|return)\b|===?|&&|\|\||=>"
)
_OPEN = {"(": ")", "[": "]", "{": "}"}
_CLOSE = {")", "]", "}"}
_MAX_CODE = 50_000  # a span longer than this is not a snippet: leave it

# A CSS rule (or an @media block of them): a selector and ``property: value;`` declarations.
_DECLARATION = r"\s*(?:--)?[a-zA-Z][\w-]*\s*:\s*[^;{}\n]{1,200};?"
_SELECTOR = r"[#.:\w\[\]=\"'*()-]{1,100}"  # one compound selector (no descendant spaces)
_CSS_RULE = re.compile(
    r"(?:(?<=\s)|^|(?<=[>}]))"
    r"(?:@media[^{}\n]{0,200}\{(?:[^{}]{0,400}\{(?:" + _DECLARATION + r")+\s*\})+\s*\}"
    r"|" + _SELECTOR + r"(?:\s*[,>+~]\s*" + _SELECTOR + r")*"
    r"\s*\{(?:" + _DECLARATION + r"){2,}\s*\})"
)
# A ``<script>``, ``<style>``, ``<noscript>`` or ``<template>`` element and its content.
_BLOCK_TAG = re.compile(
    r"(?is)<(script|style|noscript|template)\b[^>]*>.*?</\1\s*>|<(?:script|style)\b[^>]*/>"
)
# Tags of HTML left in the text (a tracking pixel's <img>, an <iframe>, a <span style=...>).
_TAG_NAMES = (
    "a|abbr|b|br|div|em|font|i|iframe|img|ins|link|meta|p|picture|source|span|strong|sub|sup|"
    "svg|u|video|embed|object|param|figure|figcaption|center|hr|small|big|wbr|"
    "h[1-6]|table|tbody|thead|tr|td|th|ul|ol|li|section|article|header|footer|nav|aside|button"
)
_TAG = re.compile(r"(?i)</?(?:" + _TAG_NAMES + r")(?:\s+[^<>]{0,2000}?)?\s*/?>")
_IFRAME = re.compile(r"(?is)<iframe\b[^>]*>.*?</iframe\s*>")
# JSON-LD and similar: an object opening with "@context" / "@type".
_JSON_LD = re.compile(r'\{\s*"@(?:context|type)"\s*:')


def strip_code(text: str) -> str:
    """``text`` without script, style, JSON-LD and markup junk; everything else as it was.

    Each cut span becomes one space (normalisation then tidies the spaces), so text that
    ran into the code on either side stays apart.
    """
    if not _might_hold_code(text):
        return text
    text = _BLOCK_TAG.sub(" ", text)
    text = _IFRAME.sub(" ", text)
    if _JS_HINT.search(text):
        text = _cut(text, _code_spans(text))  # before tags: a script's strings may hold some
    text = _TAG.sub(" ", text)
    return _CSS_RULE.sub(" ", text) if "{" in text else text


_HINT = re.compile(r"[{};]|</?[a-zA-Z]")
_JS_HINT = re.compile(
    r"function|\b(?:var|let|const)\s|window\.|document\.|\.push\(|\$\(|\"@(?:context|type)\""
)


def _might_hold_code(text: str) -> bool:
    """A cheap first look: code needs braces, semicolons or a tag."""
    return _HINT.search(text) is not None


def _cut(text: str, spans: list[tuple[int, int]]) -> str:
    if not spans:
        return text
    out, at = [], 0
    for start, end in spans:
        out.append(text[at:start])
        out.append(" ")
        at = end
    out.append(text[at:])
    return "".join(out)


def _code_spans(text: str) -> list[tuple[int, int]]:
    """The JavaScript and JSON-LD spans of ``text``, in order, not overlapping."""
    spans: list[tuple[int, int]] = []
    pos = 0
    while True:
        js = _JS_START.search(text, pos)
        ld = _JSON_LD.search(text, pos)
        found = min((m for m in (js, ld) if m is not None), key=lambda m: m.start(), default=None)
        if found is None:
            return spans
        start = found.start()
        end = _json_end(text, start) if found is ld else _statements_end(text, start)
        if end is None or (found is js and not _looks_like_js(text[start:end])):
            pos = found.end()
            continue
        spans.append((start, end))
        pos = end


def _looks_like_js(span: str) -> bool:
    return len(_JS_WORDS.findall(span)) >= 2


def _json_end(text: str, start: int) -> int | None:
    """The end of the balanced ``{...}`` at ``start``, or None."""
    end = _balanced(text, start)
    return end if end is not None and text[end - 1] == "}" else None


def _statements_end(text: str, start: int) -> int | None:
    """Where the run of JavaScript statements starting at ``start`` ends, or None when
    its brackets or strings do not balance (then it is not code we can cut safely)."""
    end = _balanced(text, start)
    if end is None:
        return None
    while True:
        rest = end
        while rest < len(text) and text[rest] in " \t\n" and not text.startswith("\n\n", rest):
            rest += 1  # a line break between statements too (a PDF wraps its lines)
        if rest >= len(text) or text[rest] == "\n" or not _JS_NEXT.match(text, rest):
            return end
        nxt = _balanced(text, rest)
        if nxt is None or nxt <= rest:
            return end
        end = nxt


def _balanced(text: str, start: int) -> int | None:
    """One statement from ``start``: up to its ``;`` (or the bracket that closes it) at
    depth 0, strings and brackets balanced; None if they never balance."""
    stack: list[str] = []
    i, n = start, min(len(text), start + _MAX_CODE)
    opened = False
    while i < n:
        c = text[i]
        if c in "'\"`":
            close = _string_end(text, i, n)
            if close is None:
                return None
            i = close
            continue
        if c in _OPEN:
            stack.append(_OPEN[c])
            opened = True
        elif c in _CLOSE:
            if not stack or stack.pop() != c:
                return None
            if not stack and c == "}":
                return _after_semicolon(text, i + 1)
            if not stack and c == ")" and opened and _ends_statement(text, i + 1):
                return _after_semicolon(text, i + 1)
        elif c == ";" and not stack:
            return i + 1
        elif c == "\n" and not stack and i + 1 < n and text[i + 1] == "\n":
            return None  # a paragraph ended inside the statement
        i += 1
    return None


def _ends_statement(text: str, i: int) -> bool:
    """After a closing ``)`` at depth 0: does the statement end here (no ``{``, ``.``,
    ``(`` or operator continuing it)?"""
    while i < len(text) and text[i] in " \t":
        i += 1
    return i >= len(text) or text[i] not in "{.(=+-*/?:&|,"


def _after_semicolon(text: str, i: int) -> int:
    """``i``, or just past an optional ``;`` (and ``()`` of an IIFE) that follows it."""
    j = i
    if text.startswith("()", j):
        j += 2
    if j < len(text) and text[j] == ";":
        return j + 1
    return j if j > i else i


def _string_end(text: str, i: int, n: int) -> int | None:
    """Just past the string literal opening at ``i`` (within its paragraph), or None."""
    quote = text[i]
    j = i + 1
    while j < n:
        c = text[j]
        if c == "\\":
            j += 2
            continue
        if c == quote:
            return j + 1
        if c == "\n" and quote != "`" and text.startswith("\n\n", j):
            return None  # a string never spans a paragraph (one line break: a wrapped line)
        j += 1
    return None
