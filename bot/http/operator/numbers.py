"""Numbers as each language writes them: Vietnamese groups thousands with "." and writes
decimals with ","; English the other way round."""

from __future__ import annotations

_SEPARATORS = {"vi": (".", ","), "en": (",", ".")}


def _swap(text: str, lang: str) -> str:
    group, decimal = _SEPARATORS.get(lang, _SEPARATORS["vi"])
    return text.replace(",", "\0").replace(".", decimal).replace("\0", group)


def fmt_int(value: int, lang: str) -> str:
    return _swap(f"{value:,}", lang)


def fmt_decimal(value: float | None, lang: str, digits: int = 1) -> str:
    return "—" if value is None else _swap(f"{value:,.{digits}f}", lang)


def fmt_percent(rate: float | None, lang: str) -> str:
    return "—" if rate is None else _swap(f"{rate * 100:.1f}", lang) + "%"
