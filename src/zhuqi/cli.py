"""The one `zhuqi` command: Django management under friendly names.

`zhuqi demo-data` runs the `demo_data` management command, `zhuqi serve` runs the server, and so on;
`zhuqi help` lists every command. Hyphens and underscores are interchangeable.
"""

import os
import sys

ALIASES = {
    "serve": "runserver",
    "import": "import_file",
    "export": "export_file",
    "token": "api_token",
}


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhuqi.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv if argv is None else argv)
    args[0] = "zhuqi"
    if len(args) > 1 and not args[1].startswith("-"):
        args[1] = ALIASES.get(args[1], args[1].replace("-", "_"))
    execute_from_command_line(args)


if __name__ == "__main__":
    main()
