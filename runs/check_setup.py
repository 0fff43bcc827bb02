"""`python -m runs.check_setup`: what an app server will say at start, before it starts.

Checks the store (MNIST_LAB_STORE) by connecting once and reads the data (MNIST_DIR, else the
download cache, else the bundled sample), printing the same two lines the server logs on its
first page view; exit status 1 when the store cannot be used. The systemd unit runs it before
each start (ExecStartPre), so `journalctl` shows both lines at start, not at the first visit.
"""

from __future__ import annotations

import sys

from mlcore.data import load_mnist
from runs.deployment import check_store, fingerprint
from runs.schema import store_url


def main() -> int:
    ok, line = check_store(store_url())
    print(line, flush=True)
    try:
        data = load_mnist()
    except (OSError, ValueError) as e:  # a broken MNIST_DIR: said in the words of the reader
        print(f"data: FAILED: {e}", flush=True)
        return 1
    arrays = [data.X_train, data.y_train, data.X_test, data.y_test]
    print(
        f"data: {data.label}, {len(data.y_train):,} training / {len(data.y_test):,} test images, "
        f"fingerprint {fingerprint(arrays)}",
        flush=True,
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
