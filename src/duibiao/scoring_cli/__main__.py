"""``python -m duibiao.scoring_cli …`` is ``duibiao score …``."""

import sys

from duibiao.scoring_cli import main

sys.exit(main())
