"""The translation catalogues: ``logbook/locales/CODE.po``, one file per language.

A catalogue is compiled when a language is first asked for, in memory (Babel reads the ``.po``
and writes the ``.mo`` into a buffer that gettext reads), so no compiled file is kept in the
repository or made at install time, and adding a language is adding its ``.po`` file
(docs/translating.md).  English is the source language and needs no catalogue.
"""

from __future__ import annotations

import functools
import io
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from logbook.core.language import ENGLISH, SOURCE_LANGUAGE, Language

LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"


def catalogue_path(code: str) -> Path:
    return LOCALES_DIR / f"{code}.po"


@functools.cache
def available_languages() -> tuple[str, ...]:
    """English, then every language with a catalogue, by code."""
    return (SOURCE_LANGUAGE, *sorted(path.stem for path in LOCALES_DIR.glob("*.po")))


@functools.cache
def load_language(code: str) -> Language:
    """The language named by *code* (one of ``available_languages()``; anything else is a caller's error)."""
    if code == SOURCE_LANGUAGE:
        return ENGLISH
    if code not in available_languages():
        raise KeyError(code)
    with catalogue_path(code).open("rb") as source:
        catalogue = read_po(source, locale=code.replace("-", "_"))
    compiled = io.BytesIO()
    write_mo(compiled, catalogue, use_fuzzy=False)
    compiled.seek(0)
    language = Language(code, Translations(compiled))
    return language
