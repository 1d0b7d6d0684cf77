"""Mask personal data (ID numbers, mobile phones) in anything shown or logged."""

from __future__ import annotations

import logging
import re

ID_NUMBER = re.compile(r"(?<![0-9])(\d{6})(\d{8})(\d{3}[0-9Xx])(?![0-9A-Za-z])")  # "ID3309…" too
MOBILE = re.compile(r"(?<!\d)(1[3-9]\d)(\d{4})(\d{4})(?!\d)")


def mask_id_number(value: str) -> str:
    """330922199001011234 → 330922********1234"""
    value = value.strip()
    if len(value) <= 10:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_phone(value: str) -> str:
    """13912345678 → 139****5678"""
    value = re.sub(r"\D", "", value)
    if len(value) < 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_name(value: str) -> str:
    """王大力 → 王**"""
    return value[:1] + "*" * (len(value) - 1)


def mask_text(text: str) -> str:
    """Every ID number and mobile number inside free text, masked."""
    text = ID_NUMBER.sub(lambda m: m.group(1) + "*" * 8 + m.group(3), text)
    return MOBILE.sub(lambda m: m.group(1) + "****" + m.group(3), text)


class MaskingFilter(logging.Filter):
    """A logging filter that masks ID numbers and phones in every record it passes."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string is the logger's problem, not ours
            return True
        masked = mask_text(message)
        if masked != message:
            record.msg, record.args = masked, ()
        return True


def install_masking_filter(logger: logging.Logger | None = None) -> None:
    """Attach the filter to every handler of `logger` (root by default)."""
    logger = logger or logging.getLogger()
    for handler in logger.handlers:
        if not any(isinstance(f, MaskingFilter) for f in handler.filters):
            handler.addFilter(MaskingFilter())
    if not any(isinstance(f, MaskingFilter) for f in logger.filters):
        logger.addFilter(MaskingFilter())
