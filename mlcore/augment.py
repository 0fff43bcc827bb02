"""Distorted copies of training images, made on the fly for each chunk of mini-batches.

"affine": a random rotation, scale, shear and shift about each digit's centre of mass.
"elastic": that, plus an elastic distortion (Simard, Steinkraus & Platt 2003: a random
displacement field smoothed by a Gaussian) and a random change of stroke thickness.
Every random number comes from the caller's generator, so a seeded run is reproducible.
"""

from __future__ import annotations

import numpy as np

from mlcore.threads import single_blas_thread

AUGMENTS = ("none", "affine", "elastic")
SIDE = 28
PAD = 2  # zero border around each image, so bilinear reads outside it find background
MAX_ROTATION = np.deg2rad(15.0)  # radians, uniform in +-
SCALE_RANGE = (0.85, 1.15)  # uniform isotropic scale
MAX_SHEAR = 0.2  # x += shear * y, uniform in +-
MAX_SHIFT = 1.0  # pixels, uniform in +- on each axis (digits come centred by mass)
# Simard 2003 used sigma = 4, alpha = 34 on 29x29 images; in pixels of a 28x28 image the
# smoothing width scales by 28/29 and alpha (a displacement times a width) by (28/29)^2.
ELASTIC_SIGMA = 4.0 * 28 / 29
ELASTIC_ALPHA = 34.0 * (28 / 29) ** 2
MAX_THICKNESS = 0.6  # blend weight toward a 1-px dilation (+) or erosion (-), uniform in +-

_ROWS, _COLS = np.divmod(np.arange(SIDE * SIDE, dtype=np.float32), SIDE)
_GRID = np.stack([_ROWS, _COLS, np.ones_like(_ROWS)])  # (3, 784): row, column, 1


def _check(ok: bool, name: str, value, rule: str) -> None:
    if not ok:
        raise ValueError(f"{name}={value!r} {rule}")


def augment_batch(
    X: np.ndarray, rng: np.random.Generator, kind: str, background: float
) -> np.ndarray:
    """distort(X, rng, kind, background) in a training worker, with BLAS on one thread.

    Every matmul here is small: a second BLAS thread costs more than it gives, and far more
    on a busy machine (measured with 2 threads there: augmenting 1,024 rows a call made an
    epoch 17-20x slower than none; with 1 thread, 64 rows cost ~0.12 of a step). A worker
    owns its process's thread limits; the web server calls distort (it runs BLAS on one).
    """
    with single_blas_thread():
        return distort(X, rng, kind, background)


def distort(X: np.ndarray, rng: np.random.Generator, kind: str, background: float) -> np.ndarray:
    """Randomly distorted copies of X (b, 784) float32, any scaling -> (b, 784) float32.

    background: the scaled value of a 0 (black) pixel; the distortions move ink, and what
    they uncover, or bring in from outside the field, is background. X is not modified.
    """
    _check(kind in AUGMENTS, "kind", kind, f"must be one of {AUGMENTS}")
    _check(X.ndim == 2 and X.shape[1] == SIDE * SIDE, "X.shape", X.shape, "must be (b, 784)")
    X = np.asarray(X, np.float32)
    if kind == "none" or len(X) == 0:
        return X.copy()
    bg = np.float32(background)
    ink = X - bg  # background 0, so zero padding and zero-weight samples are background
    coords = affine_coords(_centres(ink), random_affine(rng, len(X)))  # (b, 2, 784)
    if kind == "elastic":
        coords += elastic_displacements(rng, len(X))
    out = sample_bilinear(ink, coords)
    if kind == "elastic":
        out = change_thickness(out, rng.uniform(-MAX_THICKNESS, MAX_THICKNESS, len(X)))
    out += bg
    return out.reshape(len(X), SIDE * SIDE)


def random_affine(rng: np.random.Generator, b: int) -> np.ndarray:
    """b random maps (b, 2, 3) from output (row, col, 1) offsets to source offsets."""
    angle = rng.uniform(-MAX_ROTATION, MAX_ROTATION, b)
    scale = rng.uniform(*SCALE_RANGE, b)
    shear = rng.uniform(-MAX_SHEAR, MAX_SHEAR, b)
    shift = rng.uniform(-MAX_SHIFT, MAX_SHIFT, (b, 2))
    return affine_maps(angle, scale, shear, shift)


def affine_maps(angle, scale, shear, shift) -> np.ndarray:
    """Maps (b, 2, 3) for rotation (b,) radians, scale (b,), shear (b,), shift (b, 2) px.

    Each map takes an output pixel's (row, col) offset from the centre, and 1, to the offset
    of the source pixel it reads: the inverse of "shear, scale, rotate, then shift".
    """
    cos, sin = np.cos(angle) / scale, np.sin(angle) / scale
    # inverse rotation / scale as (row, col) rows, then the inverse shear on the column
    m = np.empty((len(cos), 2, 3))
    m[:, 0, 0], m[:, 0, 1] = cos, -sin
    m[:, 1, 0], m[:, 1, 1] = sin - shear * cos, cos + shear * sin
    m[:, :, 2] = -np.einsum("bij,bj->bi", m[:, :, :2], shift)
    return m


def _centres(ink: np.ndarray) -> np.ndarray:
    """Centre of mass (b, 2) as (row, col) of each image's ink (b, 784); the field's if none."""
    images = ink.reshape(-1, SIDE, SIDE)
    lines = np.stack([images.sum(axis=2), images.sum(axis=1)], axis=1)  # (b, 2, 28) mass
    mass = lines[:, 0].sum(axis=1, keepdims=True)
    moments = lines @ np.arange(SIDE, dtype=np.float32)  # (b, 2)
    safe = np.where(mass > 0, mass, 1)
    return np.where(mass > 0, moments / safe, (SIDE - 1) / 2).astype(np.float32)


def affine_coords(centres: np.ndarray, maps: np.ndarray) -> np.ndarray:
    """Source (row, col) (b, 2, 784) float32 for each output pixel, maps about the centres."""
    full = maps.astype(np.float32)  # (b, 2, 3), made to act on absolute coordinates:
    # src = c + M (p - c) + t  =>  src = M p + (c - M c + t)
    full[:, :, 2] += centres - np.einsum("bij,bj->bi", full[:, :, :2], centres)
    b = len(full)
    return (full.reshape(2 * b, 3) @ _GRID).reshape(b, 2, SIDE * SIDE)  # (2b, 3) @ (3, 784)


def _gaussian_matrix(sigma: float, n: int = SIDE) -> np.ndarray:
    """(n, n) Toeplitz matrix convolving a length-n signal with a unit-sum Gaussian (zeros out)."""
    radius = int(np.ceil(3 * sigma))
    taps = np.exp(-0.5 * (np.arange(-radius, radius + 1) / sigma) ** 2)
    taps /= taps.sum()
    offsets = np.arange(n)[None, :] - np.arange(n)[:, None]  # column - row
    inside = np.abs(offsets) <= radius
    return np.where(inside, taps[np.clip(offsets + radius, 0, 2 * radius)], 0)


def _field_basis(sigma: float, alpha: float, rank: int = 8) -> np.ndarray:
    """(28, rank) B with B Z B^T, Z iid N(0, 1), distributed as Simard's smoothed field.

    Simard: alpha * G U G^T, U uniform(-1, 1) per pixel (variance 1/3), G the Gaussian
    Toeplitz matrix (symmetric: G = Q diag(w) Q^T). Q^T U Q has uncorrelated entries of
    variance 1/3, and nearly normal ones (sums of 784 terms), so with the top `rank`
    eigenpairs the field is B Z B^T, B = Q w sqrt(alpha / sqrt(3)): 64 random numbers per
    field instead of 784 and two small matmuls. Rank 8 keeps 99.997% of the field's variance
    at sigma 3.9 (the eigenvalues fall as a Gaussian: 0.93, 0.76, ... 0.015, 0.005).
    """
    w, Q = np.linalg.eigh(_gaussian_matrix(sigma))
    top = np.argsort(w)[::-1][:rank]
    return (Q[:, top] * w[top] * np.sqrt(alpha / np.sqrt(3))).astype(np.float32)


_BASIS_T = np.ascontiguousarray(_field_basis(ELASTIC_SIGMA, ELASTIC_ALPHA).T)  # (rank, 28)


def elastic_displacements(rng: np.random.Generator, b: int) -> np.ndarray:
    """Simard's random fields, one per image and axis: (b, 2, 784) float32, in pixels.

    A field is alpha * (uniform(-1, 1) noise smoothed by a Gaussian of width sigma), drawn
    here in the Gaussian's eigenbasis (see _field_basis): same distribution, ~10x cheaper.
    """
    rank = _BASIS_T.shape[0]
    Z = rng.standard_normal((2 * b * rank, rank), dtype=np.float32)
    half = (Z @ _BASIS_T).reshape(2 * b, rank, SIDE)  # Z B^T: (2b*r, r) @ (r, 28)
    # B (Z B^T) transposed is (Z B^T)^T B^T; the transposed field is an equally likely one
    turned = np.ascontiguousarray(half.transpose(0, 2, 1)).reshape(2 * b * SIDE, rank)
    return (turned @ _BASIS_T).reshape(b, 2, SIDE * SIDE)  # (2b*28, r) @ (r, 28)


def sample_bilinear(ink: np.ndarray, coords: np.ndarray) -> np.ndarray:
    """Images ink (b, 784) read at source (row, col) coords (b, 2, 784) -> (b, 28, 28).

    Bilinear interpolation; outside the image reads 0. coords is used as scratch.
    """
    b, n = len(ink), SIDE + 2 * PAD
    padded = np.zeros((b, n, n), np.float32)
    padded[:, PAD:-PAD, PAD:-PAD] = ink.reshape(b, SIDE, SIDE)
    np.clip(coords, -1, SIDE, out=coords)  # beyond one pixel out, all four reads are 0
    corner = np.floor(coords)
    frac = coords - corner  # (b, 2, 784): fraction down, fraction right
    # In integers: float32 offsets are exact only below 2^24, 16,384 images of 32 x 32 (past
    # that, reads landed a pixel or two off; an augmented batch over 16,384 was silently wrong).
    index = corner[:, 0].astype(np.intp)  # (b, 784)
    index *= n
    index += corner[:, 1].astype(np.intp)
    index += (np.arange(b, dtype=np.intp) * (n * n) + PAD * (n + 1))[:, None]
    flat = padded.ravel()
    tl, tr = flat.take(index), flat[1:].take(index)  # top left, top right
    bl, br = flat[n:].take(index), flat[n + 1 :].take(index)
    fy, fx = frac[:, 0], frac[:, 1]
    tr -= tl
    tr *= fx
    tl += tr  # top row interpolated
    br -= bl
    br *= fx
    bl += br  # bottom row interpolated
    bl -= tl
    bl *= fy
    tl += bl
    return tl.reshape(b, SIDE, SIDE)


def change_thickness(ink: np.ndarray, amount: np.ndarray) -> np.ndarray:
    """Thicker (amount > 0) or thinner (< 0) strokes: ink (b, 28, 28) >= 0 -> (b, 784).

    Each image moves |amount| of the way toward its grey-scale dilation (max over the pixel
    and its 4 neighbours) or erosion (min; as -dilate(-ink)): a convex blend, so values stay
    within the image's range.
    """
    b = len(ink)
    sign = np.where(amount < 0, -1, 1).astype(np.float32)[:, None, None]
    padded = np.zeros((b, SIDE + 2, SIDE + 2), np.float32)
    signed = np.multiply(ink, sign, out=padded[:, 1:-1, 1:-1])
    # erosion: -ink <= 0 inside and 0 outside, so the field's edge erodes like background
    morph = np.maximum(signed, padded[:, :-2, 1:-1])
    np.maximum(morph, padded[:, 2:, 1:-1], out=morph)
    np.maximum(morph, padded[:, 1:-1, :-2], out=morph)
    np.maximum(morph, padded[:, 1:-1, 2:], out=morph)
    # ink + |a| (sign * morph - ink) = (1 - |a|) ink + a morph
    a = amount.astype(np.float32)[:, None, None]
    out = ink * (1 - np.abs(a))
    morph *= a
    out += morph
    return out.reshape(b, SIDE * SIDE)


def preview(
    images: np.ndarray, rng: np.random.Generator, kind: str, copies: int = 7, gap: int = 2
) -> np.ndarray:
    """A grid of what the network is shown: each row an image, then `copies` distortions.

    images (k, 784) raw pixels 0-255 -> (k*(28+gap)-gap, (copies+1)*(28+gap)-gap) float32
    in 0-255, gaps mid-grey.
    """
    _check(copies >= 1, "copies", copies, "must be >= 1")
    raw = np.asarray(images, np.float32).reshape(-1, SIDE * SIDE)
    k, cell = len(raw), SIDE + gap
    distorted = distort(np.repeat(raw, copies, axis=0), rng, kind, 0.0)  # in the web server
    tiles = np.concatenate([raw[:, None], distorted.reshape(k, copies, -1)], axis=1)
    grid = np.full((k * cell - gap, (copies + 1) * cell - gap), 128, np.float32)
    for i in range(k):
        for j in range(copies + 1):
            grid[i * cell : i * cell + SIDE, j * cell : j * cell + SIDE] = tiles[i, j].reshape(
                SIDE, SIDE
            )
    return grid
