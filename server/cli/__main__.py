"""``python -m imtkg.cli``: the ``imtkg`` command line."""

from imtkg.cli import main

if __name__ == "__main__":
    main()
