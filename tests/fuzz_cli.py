"""The long command-line fuzz run (the harness is tests/support/cli_fuzz.py; its docstring says what each run must do).

python tests/fuzz_cli.py --examples 2000 [--seed 1] [--jobs 2]
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from support.cli_fuzz import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
