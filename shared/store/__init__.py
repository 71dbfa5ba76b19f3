"""The queue's SQLite file: opening it safely, its migrations, backups and restores.

sqlite-utils is first imported here, without numpy: it imports numpy only to give numpy values a
column type, Növbə stores none, and that import was the largest part of a one-shot command's
start (`novbe status`: ~0.19 s of CPU on the loaded 2-core test machine, bench/cli_startup.py).
A process that has numpy already (the server, once reports ran) imports sqlite-utils as it is."""

import sys

if "sqlite_utils" not in sys.modules and "numpy" not in sys.modules:
    sys.modules["numpy"] = None  # type: ignore[assignment]  # its `import numpy` fails: no numpy
    try:
        import sqlite_utils  # noqa: F401
    finally:
        if "numpy" in sys.modules and sys.modules["numpy"] is None:
            del sys.modules["numpy"]
