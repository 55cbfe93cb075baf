"""Golden site: the forms fixture builds to exactly the committed output (tests/golden/forms-site).

After a deliberate change to templates or rendering, run ``python tests/regenerate.py`` and review the diff.
"""

from logbook.load.themes import default_theme_dir
from support.books import site_tree
from support.golden import GOLDEN, build_golden


def test_site_matches_golden(tmp_path):
    build_golden(tmp_path / "site")
    built, golden = site_tree(tmp_path / "site"), site_tree(GOLDEN)
    assets = {path: data for path, data in built.items() if path.startswith("assets/")}
    theme_static = site_tree(default_theme_dir() / "static")
    assert assets == {f"assets/{path}": data for path, data in theme_static.items()}  # copied byte for byte
    built = {path: data for path, data in built.items() if not path.startswith("assets/")}
    assert sorted(built) == sorted(golden)
    for path in golden:
        assert built[path] == golden[path], f"{path} differs from the golden copy"
