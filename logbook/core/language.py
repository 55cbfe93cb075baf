"""The reader's language: the translated words of a page and its dates, numbers and amounts.

A ``Language`` is a value: its code (``de``, ``zh-Hans``), the gettext translations read from its
catalogue (``logbook/locales/CODE.po``, loaded by ``logbook.load.catalogues``) and the CLDR data Babel
has for it (month names, number symbols, currency signs, plural rules).  Every string a reader sees
goes through one of its methods, so that a sentence, a date and an amount on one page are in one
language.

English is the source language: its messages are the catalogue's keys, and its dates and numbers
keep the forms logbook printed before it spoke other languages (``19 October 2026``,
``2026-10-19``, ``64.50 EUR``), so an English site is unchanged.  Every other language takes its
forms from CLDR (``19. Oktober 2026``, ``19.10.2026``, ``64,50 €``; ``2026年10月19日``).
"""

from __future__ import annotations

import gettext
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from babel import Locale
from babel.dates import format_date, format_skeleton, format_time
from babel.numbers import format_currency, format_decimal

from logbook.core.records import quick_pickle

SOURCE_LANGUAGE = "en"


def N_(message: str) -> str:
    """Marks a message for extraction where it is defined (a table of labels); translated where shown."""
    return message


def NP_(context: str, message: str) -> str:
    """Like ``N_``, for a message with a context (``status``, ``channel``, …)."""
    return message


@quick_pickle
@dataclass(frozen=True, slots=True)
class Language:
    code: str  # a BCP 47 tag, as written in logbook.toml and in <html lang>
    translations: gettext.NullTranslations = field(default_factory=gettext.NullTranslations, compare=False)

    @property
    def locale(self) -> Locale:
        return Locale.parse(self.code.replace("-", "_"))

    @property
    def direction(self) -> str:
        """``ltr`` or ``rtl`` (CLDR's character order): what ``<html dir>`` says."""
        return "rtl" if self.locale.character_order == "right-to-left" else "ltr"

    @property
    def is_source(self) -> bool:
        return self.code == SOURCE_LANGUAGE

    # Words -----------------------------------------------------------------------------------------

    def _(self, message: str, /, **values: Any) -> str:
        """The message translated, its ``{name}`` fields filled in."""
        text = self.translations.gettext(message)
        return text.format(**values) if values else text

    def n_(self, singular: str, plural: str, n: int, /, **values: Any) -> str:
        """The form of the message for *n* by the language's plural rules (``{n}`` is the number)."""
        text = self.translations.ngettext(singular, plural, n)
        return text.format(n=self.number(n), **values)

    def p_(self, context: str, message: str, /, **values: Any) -> str:
        """A message whose English is ambiguous alone (``open`` the status, ``open`` the window)."""
        text = self.translations.pgettext(context, message)
        return text.format(**values) if values else text

    def plural_forms(self, singular: str, plural: str, /) -> dict[str, str]:
        """The message's form for each CLDR plural category of the language (``one``, ``other``, …), for a
        script that picks one with ``Intl.PluralRules``; ``{n}`` stays for the script to fill in."""
        rule, forms = self.locale.plural_form, {}
        for n in (*range(0, 200), 1_000_000):
            category = rule(n)
            if category not in forms:
                forms[category] = self.translations.ngettext(singular, plural, n)
        return forms

    # Forms -----------------------------------------------------------------------------------------

    def day(self, moment: date) -> str:
        """A day in a sentence: ``19 October 2026``, ``19. Oktober 2026``, ``2026年10月19日``."""
        if self.is_source:
            return f"{moment.day} {moment:%B %Y}"
        return format_date(moment, "long", locale=self.locale)

    def date(self, moment: date) -> str:
        """A date in a table or beside a time: ``2026-10-19``, ``19.10.2026``, ``19 oct. 2026``."""
        if self.is_source:
            return f"{moment:%Y-%m-%d}"
        return format_date(moment, "medium", locale=self.locale)

    def month(self, year: int, month: int) -> str:
        """A month as a chart's row or a timeline's heading: ``2026-10``, ``Okt. 2026``, ``2026年10月``."""
        if self.is_source:
            return f"{year}-{month:02d}"
        return format_skeleton("yMMM", date(year, month, 1), locale=self.locale)

    def clock(self, moment: datetime) -> str:
        """A time of day, with seconds when it has them: ``14:03``, ``14:03:27``."""
        if self.is_source:
            return moment.strftime("%H:%M:%S" if moment.second else "%H:%M")
        return format_time(moment, "HH:mm:ss" if moment.second else "HH:mm", locale=self.locale)

    def number(self, value: int | float | Decimal) -> str:
        if self.is_source:
            return str(value)
        return format_decimal(value, locale=self.locale)

    def decimal(self, value: float) -> str:
        """One digit after the point: ``12.5``, ``12,5``."""
        if self.is_source:
            return f"{value:.1f}"
        return format_decimal(value, format="0.0", locale=self.locale)

    def amount(self, value: Decimal, currency: str) -> str:
        """``64.50 EUR`` (English, as recorded), ``64,50 €``, ``€64.50``."""
        if self.is_source:
            return f"{value} {currency}"
        return format_currency(value, currency, locale=self.locale)


ENGLISH = Language(SOURCE_LANGUAGE)
