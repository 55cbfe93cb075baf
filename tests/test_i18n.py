"""The reader's language: catalogues complete and current, sites and packets in each language.

Each shipped catalogue (logbook/locales/CODE.po) must translate every message the sources hold, none
fuzzy, none with placeholders of its own; the sample logbook must build in each language without a
diagnostic, each page checked for its translated labels, its localised date and amount, ``lang=``,
and for the English UI words it must no longer show.
"""

from __future__ import annotations

import re
import subprocess
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from html import unescape
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from logbook.build import build
from logbook.core import vocabulary
from logbook.core.models import DEFAULT_CHANNELS, DEFAULT_PARTY_ROLES, DEFAULT_STATUSES, DIRECTIONS
from logbook.evidence.wording import duration
from logbook.load.catalogues import LOCALES_DIR, available_languages, catalogue_path, load_language
from logbook.load.config import load_config
from support.books import REPO, run_cli

SHIPPED = ("de", "fr", "es", "zh-Hans")
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2), "n_": (1, 2)}
KEYWORDS |= {"p_": ((1, "c"), 2), "N_": None, "NP_": ((1, "c"), 2), "plural_forms": (1, 2)}
AS_OF = "2026-12-01"


def source_messages() -> set[tuple[str | None, str]]:
    """(context, msgid) of every message in the sources, extracted as ``pybabel extract -F babel.cfg`` does."""
    with (REPO / "babel.cfg").open() as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    found = set()
    for _, _, message, _, context in extract_from_dir(REPO, method_map, options_map, KEYWORDS):
        found.add((context, message[0] if isinstance(message, tuple) else message))
    return found


def catalogue_messages(path: Path) -> set[tuple[str | None, str]]:
    with path.open("rb") as source:
        catalogue = read_po(source)
    return {(m.context, m.id[0] if isinstance(m.id, tuple) else m.id) for m in catalogue if m.id}


CATALOGUES = available_languages()[1:]  # a language added later is held to the same rules


def test_the_shipped_languages_are_the_catalogues_present():
    assert available_languages()[0] == "en" and set(SHIPPED) <= set(CATALOGUES)


@pytest.mark.parametrize("code", CATALOGUES)
def test_catalogue_is_current_with_the_sources(code):
    """A message added to a template or to Python and not to a catalogue fails here (and one removed)."""
    assert catalogue_messages(catalogue_path(code)) == source_messages()


def test_template_is_current_with_the_sources():
    assert catalogue_messages(LOCALES_DIR / "logbook.pot") == source_messages()


@pytest.mark.parametrize("code", CATALOGUES)
def test_catalogue_translates_everything_and_checks(code):
    with catalogue_path(code).open("rb") as source:
        catalogue = read_po(source, locale=code.replace("-", "_"))
    untranslated = [
        m.id for m in catalogue if m.id and not all(m.string if isinstance(m.string, tuple) else [m.string])
    ]
    assert not untranslated
    assert not [m.id for m in catalogue if m.id and m.fuzzy]
    assert not [(m.id, errors) for m, errors in catalogue.check()]  # placeholders and plural forms agree
    for m in catalogue:  # a {field} of Python's str.format must come through whole too
        for text in m.string if isinstance(m.string, tuple) else [m.string]:
            if m.id:
                source = " ".join(m.id) if isinstance(m.id, tuple) else m.id
                fields = set(re.findall(r"\{\w+\}", source))
                fields |= {"{party}"} if "{possessive}" in fields else set()  # "die E-Mail von {party}"
                assert set(re.findall(r"\{\w+\}", text)) <= fields, (m.id, text)


def test_vocabulary_lists_every_default_word():
    assert vocabulary.STATUSES == DEFAULT_STATUSES
    assert vocabulary.CHANNELS == DEFAULT_CHANNELS
    assert vocabulary.DIRECTIONS == DIRECTIONS
    assert vocabulary.PARTY_ROLES == DEFAULT_PARTY_ROLES


def test_durations_follow_each_languages_plural_rules():
    de, zh, fr = load_language("de"), load_language("zh-Hans"), load_language("fr")
    assert duration(timedelta(days=1, hours=3), de) == "1 Tag 3 h"
    assert duration(timedelta(days=8, hours=13), de) == "8 Tage 13 h"
    assert duration(timedelta(days=8, hours=13), zh) == "8 天 13 小时"
    assert duration(timedelta(days=1160), fr) == "environ 38 mois"
    assert duration(timedelta(days=1160)) == "about 38 months"


def test_dates_and_amounts_come_from_cldr():
    day = date(2026, 10, 19)
    assert load_language("de").day(day) == "19. Oktober 2026"
    assert load_language("fr").date(day) == "19 oct. 2026"
    assert load_language("zh-Hans").day(day) == "2026年10月19日"
    assert load_language("de").amount(Decimal("64.50"), "EUR") == "64,50\xa0€"
    assert load_language("en").amount(Decimal("64.50"), "EUR") == "64.50 EUR"  # English as before


@pytest.mark.parametrize(
    ("value", "hint"), [("de-DE", "did you mean 'de'?"), ("zh-hans", "did you mean 'zh-Hans'?"), ("klingon", "known")]
)
def test_an_unknown_language_is_a_located_diagnostic(tmp_path, value, hint):
    (tmp_path / "logbook.toml").write_text(f'[site]\ntitle = "x"\nlanguage = "{value}"\n')
    config, diagnostics = load_config(tmp_path)
    assert config.language == "en"
    (problem,) = diagnostics
    assert (problem.code, problem.location.path, problem.location.line) == ("config-invalid", "logbook.toml", 3)
    assert hint in (problem.hint or "")


def test_export_with_an_unknown_lang_is_a_usage_error(capsys):
    code, _, err = run_cli(
        ["export", "GT-1042", "--zip", "x.zip", "--lang", "de_DE", "-C", str(REPO / "sample_cases")], capsys
    )
    assert code == 2 and err.count("\n") == 1 and "did you mean 'de'?" in err


# What each page must say in each language, and the English words of the interface it must not show.
EXPECTED = {
    "de": {
        "index.html": [
            "Fälle nach Status",
            "Offene Fälle",
            "Handlungsbedarf",
            "Okt. 2026",
            "erfasst als",
            "Median der Tage",
        ],
        "timeline/index.html": [
            "Zeitleiste filtern",
            "Neueste zuerst",
            "Nov. 2026",
            "Okt. 2026",
            "Monate",
            "erfasst als",
            "empfangen",
        ],
        "cases/SKY-PIR-12345/index.html": [
            "Auf einen Blick",
            "Antwortzeiten",
            "Statusverlauf",
            "212,40\xa0$",
            "4. November 2026",
            "Gegenpartei",
        ],
        "cases/index.html": ["Fälle", "Letzte Aktivität", "Gegenpartei"],
        "tags/index.html": ["Schlagwörter"],
        "search/index.html": ["Suche", "Alle Fälle und Vorgänge durchsuchen"],
        "attention/index.html": ["Handlungsbedarf", "Überfälliges zuerst.", "Befund", "überfällig"],
        "open/index.html": ["Offene Fälle", "Am längsten ohne Aktivität zuerst.", "Nächster Schritt", "empfangen"],
    },
    "fr": {
        "index.html": ["Dossiers par statut", "Dossiers en cours", "À traiter", "oct. 2026"],
        "timeline/index.html": ["Filtrer la chronologie", "Les plus récents d'abord", "nov. 2026", "oct. 2026", "Mois"],
        "cases/SKY-PIR-12345/index.html": [
            "En bref",
            "Délais de réponse",
            "Historique des statuts",
            "212,40\xa0$US",
            "4 novembre 2026",
        ],
        "cases/index.html": ["Dossiers", "Dernière activité"],
        "tags/index.html": ["Étiquettes"],
        "search/index.html": ["Recherche"],
        "attention/index.html": ["À traiter", "Les retards d'abord.", "Constat"],
        "open/index.html": ["Dossiers en cours", "Les plus longtemps sans activité d'abord."],
    },
    "es": {
        "index.html": ["Casos por estado", "Casos abiertos", "Requiere atención", "oct 2026"],
        "timeline/index.html": ["Filtrar la cronología", "Los más recientes primero", "nov 2026", "oct 2026", "Meses"],
        "cases/SKY-PIR-12345/index.html": [
            "De un vistazo",
            "Tiempos de respuesta",
            "Historial de estados",
            "212,40\xa0US$",
            "4 de noviembre de 2026",
        ],
        "cases/index.html": ["Casos", "Última actividad"],
        "tags/index.html": ["Etiquetas"],
        "search/index.html": ["Buscar"],
        "attention/index.html": ["Requiere atención", "Primero lo vencido.", "Hallazgo"],
        "open/index.html": ["Casos abiertos", "Primero los que llevan más tiempo sin actividad."],
    },
    "zh-Hans": {
        "index.html": ["按状态统计的案件", "进行中的案件", "需要处理", "2026年10月"],
        "timeline/index.html": ["筛选时间线", "最新的在前", "2026年11月", "2026年10月", "月份"],
        "cases/SKY-PIR-12345/index.html": ["概览", "答复时间", "状态记录", "US$212.40", "2026年11月4日"],
        "cases/index.html": ["案件", "最近动态"],
        "tags/index.html": ["标签"],
        "search/index.html": ["搜索"],
        "attention/index.html": ["需要处理", "逾期的在前。", "发现"],
        "open/index.html": ["进行中的案件", "最久无动态的在前。"],
    },
}
ENGLISH_UI = {
    "index.html": [
        "Cases by status",
        "Open cases",
        "Needs attention",
        "At a glance",
        "Data",
        "recorded as",
        "received",
        "sent",
        "Legend",
        "Month",
        "days",
        "promises",
        "no data",
        "overdue",
        "broken promise",
        "Latest activity",
        "Next step",
        "Add pending deadlines",
        "waiting",
    ],
    "timeline/index.html": [
        "Filter the timeline",
        "Newest first",
        "show oldest first",
        "any",
        "Clear filters",
        "recorded as",
        "received",
        "sent",
        "internal note",
        "Case status",
        "Direction",
        "Months",
    ],
    "cases/SKY-PIR-12345/index.html": [
        "At a glance",
        "Response times",
        "Status history",
        "Counterparty",
        "Promises",
        "Chronology",
        "Key facts",
        "Skip to content",
        "Published by",
        "Times are in",
        "daylight saving",
        "time not recorded",
        "took",
        "received",
        "sent",
        "internal note",
        "Permalink",
        "Background",
        "Exhibits",
        "Interactions",
        "waiting",
        "Timeline of this case",
        "recorded as",
        "so far",
    ],
    "cases/index.html": ["Last activity", "Counterparty", "Title", "Cases"],
    "tags/index.html": ["Tags", "cases)"],
    "search/index.html": ["Search every case", "needs JavaScript", "More results"],
    "attention/index.html": ["Overdue first", "Add pending deadlines", "State", "Finding", "overdue", "iCalendar file"],
    "open/index.html": ["Longest without activity first", "Latest activity", "Next step", "received", "sent", "Title"],
}


@pytest.fixture(scope="module")
def sites(tmp_path_factory):
    """The sample logbook built in each shipped language (a copy whose logbook.toml names it)."""
    import shutil

    built = {}
    for code in SHIPPED:
        root = tmp_path_factory.mktemp(code) / "book"
        shutil.copytree(REPO / "sample_cases", root, ignore=shutil.ignore_patterns("_site"))
        toml = root / "logbook.toml"
        toml.write_text(toml.read_text().replace("[site]\n", f'[site]\nlanguage = "{code}"\n', 1))
        result = build(root, root.parent / "site", as_of=AS_OF, cache=False)
        built[code] = (result, root.parent / "site")
    return built


def page_text(path: Path) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", "", path.read_text(), flags=re.S)
    return unescape(re.sub(r"<[^>]+>", " ", html))


@pytest.mark.parametrize("code", SHIPPED)
def test_sample_builds_in_each_language_without_diagnostics(sites, code):
    result, site = sites[code]
    assert result.published and list(result.diagnostics) == []
    for page in site.rglob("*.html"):
        assert f'<html lang="{code}">' in page.read_text(), page


@pytest.mark.parametrize("code", SHIPPED)
@pytest.mark.parametrize("page", sorted(ENGLISH_UI))
def test_page_in_language_has_its_words_and_none_of_english(sites, code, page):
    text = page_text(sites[code][1] / page)
    for expected in EXPECTED[code][page]:
        assert expected in text, (page, expected)
    # the record's own words (titles, messages, names) stay as written: look only outside them
    words = re.sub(r"“[^”]*”", "", text)
    for entry in re.findall(r"—[^\n]*", words):
        words = words.replace(entry, "")
    leftover = [
        w for w in ENGLISH_UI[page] if re.search(rf"(?<![\w-]){re.escape(w)}(?![\w-])", chrome(sites[code][1] / page))
    ]
    assert leftover == []


def chrome(path: Path) -> str:
    """The page's text less what the record itself says: messages, titles, descriptions, summaries, names."""
    html = path.read_text()
    html = re.sub(r'<div class="message">.*?</div>', "", html, flags=re.S)
    html = re.sub(r"<h1>.*?</h1>|<h3 id=[^>]*>.*?</h3>|<title>.*?</title>", "", html, flags=re.S)
    html = re.sub(r'<section class="(description|summary)".*?</section>', "", html, flags=re.S)
    html = re.sub(r'<p class="(next|provenance)">.*?</p>|<td data-label="[^"]*">“.*?</td>', "", html, flags=re.S)
    html = re.sub(r"<(script|style)\b.*?</\1>|<code>.*?</code>", "", html, flags=re.S)
    html = re.sub(r'<span class="entry-title">.*?</span>|<option value="[^"]+">.*?</option>', "", html, flags=re.S)
    html = re.sub(r'<ol class="key-facts">.*?</ol>|<a class="brand"[^>]*>.*?</a>', "", html, flags=re.S)
    html = re.sub(r"<td>(?!<).*?</td>", "", html, flags=re.S)  # a list's case titles and counterparties
    return unescape(re.sub(r"<[^>]+>", " ", html))


def test_no_message_hides_inside_an_f_string():
    """pybabel cannot extract a message written inside an f-string's braces (it warns and skips it), so
    such a message would stay English in every language: compute it first, then put it in."""
    literal = r"""(?:lang\.[_n]_\(\s*["']|lang\.p_\(\s*["'][^"']*["']\s*,\s*["'])"""
    inside = re.compile(r"""f(["'])[^\n]*?\{[^}\n]*""" + literal)
    found = [
        f"{path.relative_to(REPO)}:{n}"
        for path in sorted((REPO / "logbook").rglob("*.py"))
        for n, line in enumerate(path.read_text().splitlines(), start=1)
        if inside.search(line)
    ]
    assert found == []


@pytest.mark.pdf
def test_packet_in_german_read_back_through_poppler(tmp_path):
    from logbook.export import prepare_packet, write_pdf
    from logbook.store.outfile import output_file

    root = REPO / "sample_cases"
    as_of = datetime(2026, 12, 1, tzinfo=UTC)
    packet = prepare_packet(root, "SKY-PIR-12345", as_of, "bank", "not-received", language="de")
    write_pdf(packet, output_file(tmp_path / "p.pdf", tmp_path))
    text = subprocess.run(
        ["pdftotext", "-layout", str(tmp_path / "p.pdf"), "-"], capture_output=True, text=True, check=True
    ).stdout
    flat = " ".join(text.split())
    for expected in [
        "Beweismappe · Fall SKY-PIR-12345",
        "Zwischen",
        "Gegenstand 212,40 $",
        "Inhalt dieser Mappe",
        "Seite 1 von",
        "Zeiten in America/New_York",
        "Chronologie",
        "Antwortzeiten",
        "Die Nachrichten im vollen Wortlaut",
        "4. November 2026",
        "Beweis-Checkliste: Ware nicht erhalten",
        "Bestell- oder Zahlungsdaten",
    ]:
        assert expected in flat, expected
    for english in [
        "Evidence packet",
        "Between",
        "In this packet",
        "Page 1 of",
        "Response times",
        "Times in",
        "daylight saving",
        "Item not received",
        "not shown",
        "present:",
    ]:
        assert english not in flat, english


@pytest.mark.parametrize("code", SHIPPED)
def test_feed_calendar_and_rights_windows_in_language(sites, code):
    lang = load_language(code)
    site = sites[code][1]
    title = "Alex Morgan's dispute log"
    feed = unescape((site / "feed.xml").read_text())
    assert (
        f"<title>{lang._('{title}: recent interactions'.replace('{title}', '%(title)s')) % {'title': title}}</title>"
        in feed
    )
    calendar = (site / "calendar.ics").read_bytes().decode().replace("\r\n ", "").replace("\\", "")
    assert f"X-WR-CALNAME:{lang._('{title}: deadlines', title=title)}" in calendar
    page = page_text(site / "cases/GT-1042/index.html")
    assert lang._("card network rules (Visa, Mastercard): most reasons allow 120 days") in page
    label = "Card chargeback: ask your card issuer within 120 days of the transaction or expected delivery"
    assert label not in page and lang._(label) in page


AUDIT_WORDS = {  # the table's words, and the summary line with both counts
    "de": ("Fall", "Befund", "überfällig, ", "bald fällig (Stand 2026-05-01 22:00 UTC)", "Uhrzeit nicht erfasst"),
    "fr": ("dossier", "constat", "en retard, ", "0 bientôt dû (au 2026-05-01 22:00 UTC)", "heure non enregistrée"),
    "es": ("caso", "hallazgo", "vencidos, ", "0 próximos (a 2026-05-01 22:00 UTC)", "hora no registrada"),
    "zh-Hans": ("案件", "发现", "项已逾期，", "项即将到期（截至 2026-05-01 22:00 UTC）", "未记录具体时间"),
}


@pytest.mark.parametrize("code", SHIPPED)
def test_audit_speaks_the_sites_language_and_keeps_its_codes(sites, code, capsys):
    """logbook audit's table and summary in the site's language; the findings' kinds stay codes."""
    root = sites[code][1].parent / "book"
    status, out, _ = run_cli(["audit", str(root), "--as-of", "2026-05-01"], capsys)
    assert status == 1  # something is overdue
    assert [word for word in AUDIT_WORDS[code] if word not in out] == []
    assert "broken-promise: " in out
    assert [word for word in ("overdue", "due soon", "finding", "where", "time was not recorded") if word in out] == []


def test_followup_in_french(capsys):
    code, out, _ = run_cli(["followup", "SKY-PIR-12345", "--lang", "fr", "-C", str(REPO / "sample_cases")], capsys)
    assert code == 0
    assert out.startswith("Objet : confirmation de notre échange (téléphone) du ")
    assert "Bonjour," in out and "Cordialement," in out and "Kind regards" not in out


@pytest.mark.parametrize(("code", "subject"), [("zh-Hans", "确认我们于"), ("fr", "confirmation de notre échange")])
def test_followup_recorded_in_a_language_keeps_its_subject_without_the_label(
    tmp_path, capsys, monkeypatch, code, subject
):
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", "/dev/null")
    book = tmp_path / "book"
    assert run_cli(["init", str(book), "--timezone", "Europe/London"], capsys)[0] == 0
    for args in (
        ["new", "T-1", "--title", "x", "--background", "x"],
        ["add", "T-1", "--channel", "phone", "--direction", "out", "--at", "2026-11-09 10:00", "--agent", "Maria"],
        ["followup", "T-1", "--record", "--lang", code, "--at", "2026-11-10 09:00"],
    ):
        assert run_cli([*args, "-C", str(book)], capsys)[0] == 0, args
    from logbook.load.stage import load_logbook

    recorded = load_logbook(book).logbook.cases[0].interactions[-1]
    assert recorded.subject.startswith(subject), recorded.subject


def test_right_to_left_is_left_possible(tmp_path):
    """No right-to-left catalogue ships yet; a page in such a language would say so (``dir="rtl"``)."""
    from logbook.core.language import Language
    from logbook.load.themes import resolve_theme
    from logbook.site.render import make_environment

    assert Language("ar").direction == "rtl" and load_language("de").direction == "ltr"
    from logbook.load.themes import default_theme_dir

    opening = '<html lang="{{ lang.code }}"{% if lang.direction == "rtl" %} dir="rtl"{% endif %}>'
    for name in ("base.html", "packet.html"):  # every page extends base.html; the packet stands alone
        assert opening in (default_theme_dir() / "templates" / name).read_text()
    template = make_environment(resolve_theme(tmp_path, None), Language("he")).from_string(opening)
    assert template.render() == '<html lang="he" dir="rtl">'


# The bounded lists (site/pages.py) in each language: a logbook whose every list runs over two pages
# shows its pager, its "N–M of T" line, its "All N …" link and its month heading in the site's words.
LIST_PAGES = {
    "de": {
        "index.html": ["Alle 205 offenen Fälle"],
        "open/2/index.html": ["Offene Fälle (Seite 2)", "Fälle 201–205 von 205.", "zurück"],
        "status/open/2/index.html": ["Fälle 201–205 von 205.", "zurück"],
        "tags/parcel/2/index.html": ["Schlagwort parcel (Seite 2)", "Fälle 201–205 von 205."],
        "agents/k-1/2/index.html": ["Vorgänge 201–205 von 205.", "205 Vorgänge in 205 Fällen"],
        "timeline/index.html": ["Zeitleiste: März 2026", "Vorgänge 1–200 von 205.", "weiter", "Monate"],
    },
    "fr": {
        "index.html": ["Les 205 dossiers en cours"],
        "open/2/index.html": ["Dossiers en cours (page 2)", "Dossiers 201 à 205 sur 205.", "précédente"],
        "status/open/2/index.html": ["Dossiers 201 à 205 sur 205.", "précédente"],
        "tags/parcel/2/index.html": ["Étiquette parcel (page 2)", "Dossiers 201 à 205 sur 205."],
        "agents/k-1/2/index.html": ["Échanges 201 à 205 sur 205.", "205 échanges dans 205 dossiers"],
        "timeline/index.html": ["Chronologie : mars 2026", "Échanges 1 à 200 sur 205.", "suivante", "Mois"],
    },
    "es": {
        "index.html": ["Los 205 casos abiertos"],
        "open/2/index.html": ["Casos abiertos (página 2)", "Casos 201–205 de 205.", "anterior"],
        "status/open/2/index.html": ["Casos 201–205 de 205.", "anterior"],
        "tags/parcel/2/index.html": ["Etiqueta parcel (página 2)", "Casos 201–205 de 205."],
        "agents/k-1/2/index.html": ["Interacciones 201–205 de 205.", "205 interacciones en 205 casos"],
        "timeline/index.html": ["Cronología: mar 2026", "Interacciones 1–200 de 205.", "siguiente", "Meses"],
    },
    "zh-Hans": {
        "index.html": ["全部 205 个进行中的案件"],
        "open/2/index.html": ["进行中的案件 （第 2 页）", "第 201–205 个案件，共 205 个。", "上一页"],
        "status/open/2/index.html": ["第 201–205 个案件，共 205 个。", "上一页"],
        "tags/parcel/2/index.html": ["标签 parcel （第 2 页）", "第 201–205 个案件，共 205 个。"],
        "agents/k-1/2/index.html": ["第 201–205 次往来，共 205 次。", "205 次往来"],
        "timeline/index.html": ["时间线：2026年3月", "第 1–200 次往来，共 205 次。", "下一页", "月份"],
    },
}
LIST_ENGLISH = ["previous", "next", "page", "Cases", "Interactions", "All", "of", "open cases", "Months", "Pages of"]
LIST_LABELS = {  # the pager's aria-label on open/2/index.html and on the timeline
    "de": ("Seiten der offenen Fälle", "Seiten für März 2026"),
    "fr": ("Pages des dossiers en cours", "Pages de mars 2026"),
    "es": ("Páginas de los casos abiertos", "Páginas de mar 2026"),
    "zh-Hans": ("进行中的案件分页", "2026年3月 的分页"),
}


def busy_book(root: Path, code: str, cases: int = 205) -> Path:
    """*cases* open cases of one email each in March 2026, one tag, one agent: every list over a page."""
    from support.books import write_tree

    files = {"logbook.toml": f'[site]\ntitle = "Parcels"\nlanguage = "{code}"\n'}
    for n in range(cases):
        files[f"cases/B-{n:04d}/case.md"] = (
            f"---\ntitle: Parcel {n} never arrived\nstatus: open\ncounterparty: Shop\ntags: [parcel]\n---\n"
        )
        files[f"cases/B-{n:04d}/m.md"] = (
            f"---\nat: 2026-03-{n % 28 + 1:02d} {n % 24:02d}:{n % 60:02d}Z\nchannel: email\n"
            f"direction: in\nagent: Kim (K-1)\n---\nWhere is parcel {n}?\n"
        )
    return write_tree(root, files)


@pytest.mark.parametrize("code", SHIPPED)
def test_bounded_lists_speak_the_sites_language(tmp_path, code):
    root = busy_book(tmp_path / "book", code)
    result = build(root, tmp_path / "site", as_of="2026-04-01", cache=False)
    assert result.published and list(result.diagnostics) == []
    for page, expected in LIST_PAGES[code].items():
        path = tmp_path / "site" / page
        text = re.sub(r"\s+", " ", page_text(path))
        assert [e for e in expected if e not in text] == [], page
        leftover = [w for w in LIST_ENGLISH if re.search(rf"(?<![\w-]){re.escape(w)}(?![\w-])", chrome(path))]
        assert leftover == [], page
    open_label, month_label = LIST_LABELS[code]
    assert f'aria-label="{open_label}"' in (tmp_path / "site/open/2/index.html").read_text()
    assert f'aria-label="{month_label}"' in (tmp_path / "site/timeline/index.html").read_text()


@pytest.mark.parametrize(
    ("code", "title"),
    [
        ("de", "je Fall: die 15 langsamsten von {n} Fällen"),
        ("fr", "par dossier : les 15 plus lents sur {n} dossiers"),
        ("es", "por caso: los 15 más lentos de {n} casos"),
        ("zh-Hans", "（按案件）：{n} 个案件中最慢的 15 个"),
    ],
)
def test_the_slowest_cases_chart_is_titled_in_the_sites_language(tmp_path, code, title):
    from logbook.evidence.derive import derive_site
    from logbook.load.stage import load_logbook
    from logbook.site.charts import _case_figures, dashboard_charts
    from support.books import generated_book

    loaded = load_logbook(generated_book(tmp_path / "book", 60, 6, seed=3))
    site = derive_site(loaded.logbook, datetime(2026, 1, 1, tzinfo=UTC), loaded.history)
    waited = sum(_case_figures(view).wait is not None for view in site.cases)
    (chart,) = [c for c in dashboard_charts(site, None, load_language(code)) if c.id == "chart-waits"]
    assert chart.title.endswith(title.format(n=waited)), chart.title


@pytest.mark.parametrize("code", SHIPPED)
def test_search_results_are_named_in_the_sites_language(tmp_path, code):
    """A result's title (the interaction's name, here an email with no summary) and its date are the
    page's words, as on the case page, not English."""
    from logbook.core.language import ENGLISH
    from logbook.evidence.derive import derive_site
    from logbook.evidence.wording import entry_name
    from logbook.load.stage import load_logbook
    from logbook.site.search import site_documents

    loaded = load_logbook(busy_book(tmp_path / "book", code, cases=3))
    site = derive_site(loaded.logbook, datetime(2026, 4, 1, tzinfo=UTC), loaded.history)
    lang = load_language(code)
    interactions = [entry.interaction for view in site.cases for entry in view.entries]
    cards = [card for _, card in site_documents(site)]
    assert [card["t"] for card in cards] == [entry_name(i, lang) for i in interactions]
    assert all(card["t"] != entry_name(i, ENGLISH) for card, i in zip(cards, interactions))
    assert all(card["d"].startswith(lang.date(i.at.when)) for card, i in zip(cards, interactions))
    assert all(not card["d"].startswith(ENGLISH.date(i.at.when)) for card, i in zip(cards, interactions))


def test_a_language_without_a_stemmer_is_searched_by_its_nearest():
    """Adding a catalogue adds a language (docs/translating.md); the search analyser must not fail on it."""
    from logbook.site.textindex import analyse_text, analyser_language

    assert [analyser_language(c) for c in ("de", "de-CH", "zh-Hant", "pt-BR", "fr-CA")] == [
        "de",
        "de",
        "zh-Hans",
        "en",
        "fr",
    ]
    assert analyse_text("Erstattungen", analyser_language("de-AT")) == analyse_text("Erstattungen", "de")
