"""Golden site: the forms fixture builds to exactly the committed output (tests/golden/forms-site).

After a deliberate change to templates or rendering, run ``python tests/regenerate.py`` and review the diff.
"""

from conftest import site_tree
from regenerate import GOLDEN, build_golden


def test_site_matches_golden(tmp_path):
    build_golden(tmp_path / "site")
    built, golden = site_tree(tmp_path / "site"), site_tree(GOLDEN)
    assert sorted(built) == sorted(golden)
    for path in golden:
        assert built[path] == golden[path], f"{path} differs from the golden copy"
