"""``python -m coopld``: the same as the ``coopld`` command."""

from coopld.cli import main

main()
