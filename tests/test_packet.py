"""The packet a disputes officer reads, read back from the PDF the way they get it (poppler's text and pages).

The scenario (tests/fixtures/packet-scenario): a consumer's case kept in Europe/London against a shop
answering from UTC+08:00, a card issuer and a courier as third parties, a call, a letter with no time,
one photo attached and not shown in its message, and one screenshot both attached and shown in its chat.
"""

from __future__ import annotations

import re
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest

from logbook.export import prepare_packet, write_pdf
from logbook.store.outfile import output_file
from support.books import REPO, SAMPLE, write_tree

pytestmark = pytest.mark.pdf

SCENARIO = Path(__file__).parent / "fixtures" / "packet-scenario"
AS_OF = datetime(2026, 12, 1, tzinfo=UTC)


def pdf_pages(pdf: Path) -> list[str]:
    """Each page's text, laid out as printed (pdftotext -layout)."""
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return text.split("\f")[:-1]


def page_fill(pdf: Path, dpi: int = 20) -> list[float]:
    """How far down its printable area each page carries ink (0 empty, 1 full), from pdftoppm's grey pages."""
    with __import__("tempfile").TemporaryDirectory() as scratch:
        subprocess.run(["pdftoppm", "-gray", "-r", str(dpi), str(pdf), f"{scratch}/p"], check=True)
        fills = []
        for image in sorted(Path(scratch).glob("p-*.pgm"), key=lambda p: int(p.stem.split("-")[-1])):
            magic, width, height, _, pixels = image.read_bytes().split(maxsplit=4)
            assert magic == b"P5"
            w, h = int(width), int(height)
            top, bottom = int(h * 22 / 297), int(h * 275 / 297)  # between the running header and footer
            inked = [y for y in range(top, bottom) if min(pixels[y * w : (y + 1) * w]) < 200]
            fills.append((max(inked) - top) / (bottom - top) if inked else 0.0)
        return fills


def image_draws(pdf: Path) -> list[tuple[int, int]]:
    """(width, height) in pixels of every image drawn on a page (pdfimages -list), one row per drawing."""
    listing = subprocess.run(["pdfimages", "-list", str(pdf)], capture_output=True, text=True, check=True).stdout
    rows = [line.split() for line in listing.splitlines()[2:] if line.strip()]
    return [(int(r[3]), int(r[4])) for r in rows if r[2] == "image"]


def export(root: Path, case_id: str, target: Path, **options) -> Path:
    write_pdf(prepare_packet(root, case_id, AS_OF, **options), output_file(target, root))
    return target


@pytest.fixture(scope="module")
def scenario_pdf(tmp_path_factory) -> Path:
    return export(SCENARIO, "SM-5521", tmp_path_factory.mktemp("packet") / "sm.pdf")


@pytest.fixture(scope="module")
def sample_pdf(tmp_path_factory) -> Path:
    return export(SAMPLE, "GT-1042", tmp_path_factory.mktemp("packet") / "gt.pdf", reason="not-as-described")


def test_page_one_states_the_case_in_five_lines(scenario_pdf):
    first = pdf_pages(scenario_pdf)[0].split("In this packet")[0]
    lines = re.findall(r"^\s*([1-5])\. (Between|About|Status|Record|Promises)", first, re.M)
    assert [n for n, _ in lines] == ["1", "2", "3", "4", "5"]
    flat = " ".join(first.split())
    assert (
        "Between Sam Patel and ShenMart; also Northbank Card Disputes (card issuer) and Speedy Parcels (courier)."
        in flat
    )
    assert "About 64.50 GBP: order SM-884120." in flat
    assert "Status escalated since 2026-11-28 14:00 GMT; opened 2026-11-09*" in flat
    assert "Record of 6 interactions" in flat and "2 received, 4 sent, 0 internal notes; 2 exhibits." in flat
    assert "Promises: 1 made, 0 kept (0 late), 1 broken, 0 pending or undated; 2 messages not answered yet." in flat
    assert "Lamp arrived smashed" not in flat  # no message starts on page 1


def test_page_one_of_an_ended_case_says_what_stood_when_it_ended(sample_pdf):
    flat = " ".join(pdf_pages(sample_pdf)[0].split())
    assert "Status resolved since 2026-04-15 13:47 CEST; opened 2026-03-02*, lasted 44 days 12 h." in flat
    assert "; 1 message not answered when the case ended." in flat and "never answered" not in flat


def test_the_chronology_is_one_table_on_one_page_before_the_messages(scenario_pdf):
    pages = pdf_pages(scenario_pdf)
    table = pages[1]
    assert re.search(r"Date and time\s+Channel\s+Direction\s+Party\s+Agent\s+Summary\s+Exhibits", table)
    rows = re.findall(r"^\s*(\d)\s+(2026-11-\d\d\S*)", table, re.M)
    assert [n for n, _ in rows] == ["1", "2", "3", "4", "5", "6"]  # every interaction, in time order, here
    portal = next(line for line in table.splitlines() if line.lstrip().startswith("6 "))
    assert "portal" in portal and "sent" in portal and "Northbank" in portal  # the party it went to
    chat = next(line for line in table.splitlines() if line.lstrip().startswith("3 "))
    assert re.search(r"chat\s+received\s+ShenMart\s+Lily.*Refund confirmed in chat\s+2$", chat)
    messages = next(n for n, page in enumerate(pages) if re.search(r"^\s*The messages in full\s*$", page, re.M))
    assert messages > 1 and not any("Dear customer" in page for page in pages[:messages])


def test_status_history_and_response_times_are_in_the_packet(scenario_pdf):
    text = " ".join(" ".join(pdf_pages(scenario_pdf)).split())
    assert "Status history" in text and "Response times" in text
    assert re.search(r"open 2026-11-09\* \(start\) 8 days 11 h waiting 2026-11-17 11:00 GMT", text)
    assert "ShenMart took 23 h 13 min to answer your email of 9 November 2026" in text


def test_every_image_exhibit_is_printed_once(scenario_pdf, sample_pdf):
    # the photo is attached only; the screenshot is attached and shown in its message's text
    assert sorted(image_draws(scenario_pdf)) == [(300, 180), (320, 200)]
    assert len(image_draws(sample_pdf)) == 1  # GT-1042's one image exhibit, shown in its chat message


def test_every_page_says_which_zone_its_times_are_in(scenario_pdf):
    pages = pdf_pages(scenario_pdf)
    for n, page in enumerate(pages, 1):
        assert page.lstrip().startswith("Times in Europe/London (GMT, UTC+00:00; BST, UTC+01:00"), n
        assert page.count("* after a date: time not recorded") == 1, n
        assert "(time not recorded)" not in page, n
    text = "\n".join(pages)
    assert "2026-11-09 09:40 GMT" in text and "(recorded as 17:40" in text  # the shop's +08:00 kept
    assert "2026-11-20*" in text  # the letter: a date alone


def test_no_page_is_left_half_empty_by_a_page_break_rule(scenario_pdf, sample_pdf, tmp_path):
    """Only page 1 and the chronology table end a page on purpose; any other page but the last is filled."""
    body = "\n\n".join(["We write about the order again. " * 14] * 3)
    files = {
        "logbook.toml": '[site]\ntimezone = "UTC"\n',
        "cases/LONG/case.md": "---\ntitle: Many long letters\nstatus: open\ncounterparty: ShopCo\n---\n",
    }
    for day in range(1, 19):
        files[f"cases/LONG/2026-03-{day:02d}-1000-email-{'in' if day % 2 else 'out'}.md"] = (
            f"---\nat: 2026-03-{day:02d} 10:00\nchannel: email\ndirection: {'in' if day % 2 else 'out'}\n"
            f"subject: Letter {day}\n---\n" + body[: 600 + 90 * day] + "\n"
        )
    long_pdf = export(write_tree(tmp_path / "book", files), "LONG", tmp_path / "long.pdf")
    for pdf in (scenario_pdf, sample_pdf, long_pdf):
        fills = page_fill(pdf)
        thin = [(n, round(f, 2)) for n, f in enumerate(fills, 1) if n > 2 and n < len(fills) and f < 0.7]
        assert thin == [], f"{pdf.name}: pages barely filled: {thin}"


def test_readme_shows_two_packet_pages():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    shots = re.findall(r"\]\((docs/screenshots/packet-[^)]+\.png)\)", readme)
    assert len(shots) == 2 and all((REPO / shot).is_file() for shot in shots)
