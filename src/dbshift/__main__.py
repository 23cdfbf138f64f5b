"""``python -m dbshift``: the same as the ``dbshift`` console script."""

from .cli import main

if __name__ == "__main__":
    main(prog="dbshift")
