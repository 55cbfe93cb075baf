"""Translations folded into the templates (site/folding.py) draw exactly what the calls drew.

Each template is drawn twice, by an environment that folds its literal translation calls and by
one that looks them up on every call, with a catalogue whose translations hold markup, ``%%`` and
named values; the two must agree byte for byte, or fail alike.  The sample logbook, built in
German with and without folding, must give the same site.
"""

from __future__ import annotations

import functools
import gettext
from pathlib import Path

import jinja2
import pytest

from logbook.build import build
from logbook.site import render
from logbook.site.folding import fold_translations
from logbook.speed.fragments import FragmentEnvironment

CATALOGUE = {
    "Direction": "Richtung <i>&</i>",
    "Agent: %(name)s": "Bearbeiter: %(name)s",
    "100%% sure": "100%% sicher",
    "%(missing)s here": "%(missing)s hier",
    "quote": "l'affaire",
    "and": "Q&A",
    "bold": "<b>x</b>",
}
CONTEXTS = {("window state", "open"): "offen", ("kind", "named"): "%(context)s <b>", ("kind", "pos"): "a %s b"}


class Catalogue(gettext.NullTranslations):
    def gettext(self, message: str) -> str:
        return CATALOGUE.get(message, message)

    def pgettext(self, context: str, message: str) -> str:
        return CONTEXTS.get((context, message), message)


TEMPLATES = {
    "plain": '{{ _("Direction") }}|{{ gettext("Direction") }}|{{ _("not translated") }}',
    "values": '{{ _("Agent: %(name)s", name=who) }}|{{ _("Agent: %(name)s", name=safe) }}',
    "percent": '{{ _("100%% sure") }}',
    "context": '{{ pgettext("window state", "open") }}|{{ pgettext("kind", "named") }}',
    "context given": '{{ pgettext("kind", "named", context=who) }}',
    "in expressions": '{{ _("Direction") ~ who }}|{% if _("Direction") != who %}yes{% endif %}',
    "unescaped": '{% autoescape false %}{{ _("Direction") }}{{ _("Agent: %(name)s", name=who) }}{% endautoescape %}',
    "not literal": "{{ _(message) }}|{{ pgettext(kind, message) }}",
    "assigned": '{% set _ = shout %}{{ _("Direction") }}',
    "macro argument": '{% macro m(gettext) %}{{ gettext("Direction") }}{% endmacro %}{{ m(shout) }}',
    "loop variable": '{% for _ in [shout] %}{{ _("Direction") }}{% endfor %}|{{ pgettext("window state", "open") }}',
    "joined": '{{ _("quote") ~ " " ~ _("and") }}|{{ _("bold") ~ "!" }}|{% set t = _("and") ~ ":" %}{{ t }}',
    "joined with values": '{{ _("Agent: %(name)s", name="<i>") ~ "." }}',
    "macro named _": '{% macro _(s) %}M{{ s }}{% endmacro %}{{ _("plain") }}',
    "imported as gettext": '{% import "lib" as gettext %}{{ _("Direction") }}',
    "imported as _": '{% from "lib" import shout as _ %}{{ _("Direction") }}',
    "gettext assigned": '{% set gettext = shout %}{{ _("Direction") }}',
    "positional in context": '{{ pgettext("kind", "pos") }}',
    "lib": "{% macro shout(s) %}M{{ s }}{% endmacro %}",
}


def environment(folding: bool, templates: dict[str, str] = TEMPLATES) -> FragmentEnvironment:
    env = FragmentEnvironment(
        loader=jinja2.DictLoader(templates),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        extensions=["jinja2.ext.i18n"],
    )
    env.install_gettext_translations(Catalogue(), newstyle=True)  # type: ignore[attr-defined]
    if folding:
        env.folding = functools.partial(fold_translations, translations=Catalogue())
    return env


VALUES = {
    "who": "<script>&",
    "safe": jinja2.utils.markupsafe.Markup("<em>kept</em>"),
    "message": "Direction",
    "kind": "window state",
    "shout": lambda text: text.upper(),
}


@pytest.mark.parametrize("name", sorted(TEMPLATES))
def test_a_folded_template_draws_what_the_calls_drew(name):
    assert _drawn(environment(True), name) == _drawn(environment(False), name)


def _drawn(env: FragmentEnvironment, name: str) -> tuple[str, str]:
    """The page, or the kind of error it fails with."""
    try:
        return "page", env.get_template(name).render(VALUES)
    except Exception as exc:  # noqa: BLE001 - the failure itself is what is compared
        return "error", type(exc).__name__


def test_the_folded_calls_are_gone_and_the_others_stay():
    code = environment(True).compile(TEMPLATES["plain"], raw=True)
    assert "Richtung &lt;i&gt;" not in code and "Richtung <i>&</i>" in code  # the catalogue's markup, as text
    assert "'_'" not in code and "'gettext'" not in code
    kept = environment(True).compile(TEMPLATES["not literal"], raw=True)
    assert "'_'" in kept and "'pgettext'" in kept
    assert "'_'" in environment(True).compile(TEMPLATES["assigned"], raw=True)


def test_a_call_that_fails_still_fails_on_the_page():
    templates = {
        "missing": '{{ _("%(missing)s here") }}',
        "twice": '{{ _("a", x=1, x=2) }}',
        "own": '{{ _("a", __string="b") }}',
    }
    for folding in (True, False):
        with pytest.raises(KeyError):
            environment(folding, templates).get_template("missing").render()
        with pytest.raises(SyntaxError):  # "keyword argument repeated", from Python's compiler
            environment(folding, templates).get_template("twice")
        with pytest.raises(TypeError):
            environment(folding, templates).get_template("own").render()


def test_parse_still_gives_the_template_as_written():
    tree = environment(True).parse(TEMPLATES["plain"])
    assert [call.node.name for call in tree.find_all(jinja2.nodes.Call)] == ["_", "gettext", "_"]


def test_the_sample_site_in_german_is_the_same_folded_or_not(sample_book, tmp_path, monkeypatch):
    config = sample_book / "logbook.toml"
    config.write_text(config.read_text().replace("[site]", '[site]\nlanguage = "de"', 1))
    folded = build(sample_book, tmp_path / "folded", as_of="2026-06-01", cache=False)
    monkeypatch.setattr(render, "fold_translations", lambda tree, translations: tree)
    looked_up = build(sample_book, tmp_path / "looked-up", as_of="2026-06-01", cache=False)
    assert folded.published and looked_up.published
    assert _files(tmp_path / "folded") == _files(tmp_path / "looked-up")


def _files(site: Path) -> dict[str, bytes]:
    return {str(path.relative_to(site)): path.read_bytes() for path in sorted(site.rglob("*")) if path.is_file()}
