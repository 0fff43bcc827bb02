"""MNIST from wherever it is: MNIST_DIR, the per-user download cache, or the bundled sample.

load_mnist() tries those in that order; every source is read by the same IDX reader.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from mlcore.download import SHA256
from mlcore.idx import IMAGES_MAGIC, LABELS_MAGIC, IdxError, parse_idx, read_idx

SAMPLE_DIR = Path(__file__).resolve().parent / "sample"
# Which data a run trains on: one word from the page to the worker, the store's row and the URL
# (RunSpec.data). "full": the official MNIST files, wherever found; "sample": the bundled
# 12,000; "upload": a workspace's own files.
DATA_KINDS = ("full", "sample", "upload")
KIND_LABELS = {
    "full": "Full MNIST",
    "sample": "Bundled sample of MNIST",
    "upload": "Your uploaded files",
}
ROLES = {  # role -> official base name
    "train_images": "train-images-idx3-ubyte",
    "train_labels": "train-labels-idx1-ubyte",
    "test_images": "t10k-images-idx3-ubyte",
    "test_labels": "t10k-labels-idx1-ubyte",
}
assert set(ROLES.values()) == set(SHA256)
# Uploads: at most this many images (or labels) per file, checked from the header before
# anything is decompressed. Twice full MNIST's 60,000; each 60,000 images a session holds take
# 47 MB as uint8 plus 188 MB per input scaling used (float32), so a limit of 120,000 keeps one
# upload under ~0.5 GB of server memory. A small server should set MNIST_LAB_MAX_UPLOAD_IMAGES.
MAX_UPLOAD_IMAGES = 120_000


@dataclass(frozen=True)
class DataRef:
    """Which data a run trains on and where a worker finds it: the one data identity a page,
    the scheduler, the worker and the store's row share. kind is one of DATA_KINDS; location
    the folder load_mnist reads ("full", "sample") or the upload's .npy folder."""

    kind: str
    location: str

    def __post_init__(self):
        if self.kind not in DATA_KINDS:
            raise ValueError(f"data kind {self.kind!r} must be one of {DATA_KINDS}")


@dataclass(frozen=True)
class Dataset:
    """MNIST as read-only uint8 arrays: X (n, 784) pixels 0-255, y (n,) digits."""

    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    kind: str  # one of DATA_KINDS
    location: str  # where it came from
    found: str = ""  # for "full": "MNIST_DIR" or "downloaded", said in its label

    @property
    def label(self) -> str:
        """What the pages call it: "Full MNIST (downloaded)", "Bundled sample of MNIST"."""
        return KIND_LABELS[self.kind] + (f" ({self.found})" if self.found else "")

    @property
    def description(self) -> str:
        return (
            f"{self.label}: {len(self.y_train):,} training / {len(self.y_test):,} test images"
            f" ({self.location})"
        )


def cache_dir() -> Path:
    """Download cache: $MNIST_CACHE, else <$XDG_CACHE_HOME or ~/.cache>/mnist-backprop-lab/mnist."""
    if os.environ.get("MNIST_CACHE"):
        return Path(os.environ["MNIST_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "mnist-backprop-lab" / "mnist"


def find_files(directory: str | Path) -> dict[str, Path] | None:
    """The four MNIST files in directory (.gz or plain, '-idx' or '.idx' names), or None."""
    directory = Path(directory)
    found = {}
    for role, base in ROLES.items():
        names = [base + ".gz", base, base.replace("-idx", ".idx", 1)]
        hits = [directory / n for n in names if (directory / n).is_file()]
        if not hits:
            return None
        found[role] = hits[0]
    return found


def locate(directory: str | Path | None = None) -> tuple[str, Path]:
    """(kind, directory) of the first source present: directory or $MNIST_DIR, cache, sample;
    kind "full" or "sample" (DATA_KINDS)."""
    explicit = directory or os.environ.get("MNIST_DIR")
    if explicit:
        if find_files(explicit) is None:
            raise FileNotFoundError(
                f"{explicit} does not hold the four MNIST files ({', '.join(ROLES.values())})"
            )
        kind = "sample" if Path(explicit).resolve() == SAMPLE_DIR else "full"
        return kind, Path(explicit)
    if find_files(cache_dir()) is not None:
        return "full", cache_dir()
    return "sample", SAMPLE_DIR


def load_mnist(directory: str | Path | None = None, max_items: int | None = None) -> Dataset:
    """Load MNIST from the first available source (see locate).

    max_items bounds each file's images (or labels), checked from its header before its data
    is read or decompressed: the CLI bounds a --data folder like an upload."""
    kind, where = locate(directory)
    files = find_files(where)
    arrays = {
        role: read_idx(path, IMAGES_MAGIC if role.endswith("images") else LABELS_MAGIC, max_items)
        for role, path in files.items()
    }
    data = make_dataset(arrays, {r: p.name for r, p in files.items()}, kind, str(where))
    if kind != "full":
        return data
    downloaded = where.resolve() == cache_dir().resolve()
    return replace(data, found="downloaded" if downloaded else "MNIST_DIR")


def max_upload_images() -> int:
    """$MNIST_LAB_MAX_UPLOAD_IMAGES if set (a positive integer), else MAX_UPLOAD_IMAGES."""
    text = os.environ.get("MNIST_LAB_MAX_UPLOAD_IMAGES", "").strip()
    if not text:
        return MAX_UPLOAD_IMAGES
    if not text.isdigit() or int(text) < 1:
        raise ValueError(f"MNIST_LAB_MAX_UPLOAD_IMAGES={text!r} must be a positive integer")
    return int(text)


class UploadError(IdxError):
    """Some uploaded files are bad: .problems holds one IdxError per bad file."""

    def __init__(self, problems: list[IdxError]):
        super().__init__("; ".join(map(str, problems)), "; ".join(p.plain for p in problems))
        self.problems = problems


def load_uploaded(blobs: dict[str, tuple[str, bytes]]) -> Dataset:
    """Dataset from uploaded files: role -> (file name, bytes). Errors name the file.

    Each file given is checked on its own first (a bad file is named as bad, not as one of
    the missing); then missing roles are named; then images and labels must pair up.
    """
    limit = max_upload_images()
    arrays, problems = {}, []
    for role, (name, data) in blobs.items():
        magic = IMAGES_MAGIC if role.endswith("images") else LABELS_MAGIC
        try:
            arrays[role] = parse_idx(data, name, magic, max_items=limit)
        except IdxError as e:
            problems.append(e)
    if problems:
        raise UploadError(problems)
    missing = [ROLES[r] for r in ROLES if r not in blobs]
    if missing:
        raise IdxError(f"missing file(s): {', '.join(missing)}")
    names = {role: name for role, (name, _) in blobs.items()}
    return make_dataset(arrays, names, "upload", "uploaded files")


def make_dataset(arrays: dict[str, np.ndarray], names: dict[str, str], kind, location) -> Dataset:
    """Check that images and labels pair up; flatten images to (n, 784); freeze the arrays."""
    for split in ("train", "test"):
        n_img, n_lab = len(arrays[f"{split}_images"]), len(arrays[f"{split}_labels"])
        if n_img != n_lab:
            raise IdxError(
                f"{names[f'{split}_images']} has {n_img:,} images but "
                f"{names[f'{split}_labels']} has {n_lab:,} labels"
            )
        if n_img == 0:
            raise IdxError(f"{names[f'{split}_images']} holds no images")
    out = {
        "X_train": arrays["train_images"].reshape(-1, 784),
        "y_train": arrays["train_labels"],
        "X_test": arrays["test_images"].reshape(-1, 784),
        "y_test": arrays["test_labels"],
    }
    for a in out.values():
        a.flags.writeable = False
    return Dataset(**out, kind=kind, location=location)


def identify_upload(file_name: str) -> str | None:
    """The role (e.g. "train_images") an uploaded file's name suggests, or None."""
    low = file_name.lower()
    for role, base in ROLES.items():
        prefix = base.split("-")[0]  # "train" or "t10k"
        if low.startswith(prefix) and ("images" in low) == role.endswith("images"):
            return role
    return None
