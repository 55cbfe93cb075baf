"""Both case forms load into the same model and render the same site, byte for byte."""

from logbook.build import build
from logbook.load.stage import load_logbook
from support.books import FIXTURES, site_tree


def test_bundle_and_single_file_give_equal_models():
    bundle = load_logbook(FIXTURES / "forms-bundle")
    single = load_logbook(FIXTURES / "forms-single")
    assert bundle.diagnostics == () and single.diagnostics == ()
    (a,), (b,) = bundle.logbook.cases, single.logbook.cases
    assert (a.form, b.form) == ("bundle", "single")
    assert a == b
    assert len(a.interactions) == 2 and a.interactions[1].attachments[0].path == "cases/CASE-1/shot.png"


def test_bundle_and_single_file_render_identically(tmp_path):
    import shutil

    for name in ("forms-bundle", "forms-single"):
        shutil.copytree(FIXTURES / name, tmp_path / "src" / name)  # outside git: provenance is not compared here
        result = build(tmp_path / "src" / name, tmp_path / name, as_of="2026-04-10")
        assert result.published, result.diagnostics
    assert site_tree(tmp_path / "forms-bundle") == site_tree(tmp_path / "forms-single")
