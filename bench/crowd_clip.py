"""The crowd clips: faces from the photos walking across a blurred street at 1280x720, 25 fps,
with the truth (who is where, how visible, in every frame) written beside each clip.

Three rows of the street, far (small faces, high up) to near (large, low); each of the N
"lanes" belongs to a row and always has one walker: when a face leaves the frame the next one
enters from the side, so about N faces are in view at any time. A row walks at its own speed
and direction, its lanes evenly spaced; near rows are drawn last, hiding what is behind them.
Everything comes from one seed: the same options give the same clip, kept between runs.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import numpy.typing as npt
from tqdm import tqdm

from common import frame_count
from crowd_cast import Cast, Sprite

WIDTH, HEIGHT, FPS = 1280, 720, 25.0
WATCHLISTED_SHARE = 0.3
"""Share of walkers drawn from the watchlisted identities (the rest from faces/unknown/)."""
SPEED_FACES_A_S = (0.8, 3.0)
"""Walking speed in face heights a second: a 160 px face crosses the frame in 2.9-11 s."""
ROWS = 3
EDGE_PX = 20
"""Space kept free above the farthest row's faces and below the nearest row's."""
TRUTH_VERSION = 1
"""Raise when the clip drawn for the same parameters changes (cached clips are then redrawn)."""


@dataclass(frozen=True, slots=True)
class CrowdParams:
    crowd: int
    seconds: float
    face_px: tuple[int, int]
    """Smallest and largest face (HOG box) height in clip pixels."""
    seed: int = 0
    version: int = TRUTH_VERSION

    @property
    def frames(self) -> int:
        return round(self.seconds * FPS)


@dataclass(frozen=True, slots=True)
class Walker:
    id: int
    sprite: Sprite
    scale: float
    """Photo pixels to clip pixels."""
    depth: float
    """Far (small, high in the frame, drawn first) to near: the row, then the lane."""
    face_y: float
    """Face centre height in the clip."""
    start_x: float
    """Face centre x at frame ``start``."""
    speed: float
    """Pixels a frame, negative when walking left."""
    start: int
    end: int
    """First frame after the walker has left."""

    def face_x(self, frame: int) -> float:
        return self.start_x + self.speed * (frame - self.start)


def street_background(rng: np.random.Generator) -> npt.NDArray[np.uint8]:
    """Sky, a row of buildings with windows, a pavement; blurred so that only faces have edges."""
    image = np.zeros((HEIGHT, WIDTH, 3), np.uint8)
    sky = np.linspace(200, 150, 260)[:, None, None] * np.array([0.9, 0.95, 1.0])
    image[:260] = sky.astype(np.uint8)
    x = 0
    while x < WIDTH:
        width, top = int(rng.integers(120, 260)), int(rng.integers(40, 200))
        colour = rng.integers(70, 170, 3)
        image[top:470, x : x + width] = colour
        for wy in range(top + 20, 440, 50):  # windows
            for wx in range(x + 15, x + width - 30, 45):
                image[wy : wy + 25, wx : wx + 22] = colour * 0.55
        x += width
    image[470:] = np.linspace(150, 110, HEIGHT - 470)[:, None, None].astype(np.uint8)
    return np.asarray(cv2.GaussianBlur(image, (0, 0), 6), np.uint8)


def walker_sprite(walker: Walker) -> tuple[npt.NDArray[np.uint8], npt.NDArray[np.float32]]:
    sprite = walker.sprite
    size = (
        max(1, round(sprite.image.shape[1] * walker.scale)),
        max(1, round(sprite.image.shape[0] * walker.scale)),
    )
    image = cv2.resize(sprite.image, size, interpolation=cv2.INTER_AREA)
    alpha = cv2.resize(sprite.alpha, size, interpolation=cv2.INTER_LINEAR)
    return np.asarray(image, np.uint8), np.asarray(alpha, np.float32)


class Picker:
    """Who the next walker is: watchlisted identities in turn (each on screen in every clip),
    each one's photos in turn; unknown photos in turn."""

    def __init__(self, cast: Cast, rng: np.random.Generator) -> None:
        self._rng = rng
        identities = sorted({s.identity for s in cast.watchlisted})
        order = [identities[i] for i in rng.permutation(len(identities))]
        self._watchlisted = [[s for s in cast.watchlisted if s.identity == i] for i in order]
        self._unknown = cast.unknown
        self._turns = {"watch": 0, "unknown": 0}

    def next(self) -> Sprite:
        if self._rng.random() < WATCHLISTED_SHARE:
            turn = self._turns["watch"]
            self._turns["watch"] += 1
            photos = self._watchlisted[turn % len(self._watchlisted)]
            return photos[(turn // len(self._watchlisted)) % len(photos)]
        turn = self._turns["unknown"]
        self._turns["unknown"] += 1
        return self._unknown[turn % len(self._unknown)]


@dataclass(frozen=True, slots=True)
class Row:
    """A band of the street at one depth: its face size, height in the frame, walking speed."""

    face_px: float
    face_y: float
    speed: float
    """Pixels a frame, negative when walking left."""


def street_rows(params: CrowdParams, rng: np.random.Generator) -> list[Row]:
    """ROWS bands, far (small, high up) to near, face boxes stacked with the spare height
    spread between them; a speed and a direction of its own for each."""
    low, high = params.face_px
    sizes = np.linspace(low, high, ROWS)
    gap = (HEIGHT - 2 * EDGE_PX - float(sizes.sum())) / (ROWS - 1)
    rows, top = [], float(EDGE_PX)
    for size in sizes:
        direction = 1.0 if rng.random() < 0.5 else -1.0
        speed = direction * size * float(rng.uniform(*SPEED_FACES_A_S)) / FPS
        rows.append(Row(float(size), top + 0.5 * size, speed))
        top += size + gap
    return rows


def lane_walkers(params: CrowdParams, rng: np.random.Generator, picker: Picker) -> list[Walker]:
    """Every lane's walkers, one after the other. Lanes share the rows in turn and, within a
    row, start evenly spaced; a row walks at one speed, so the spacing holds (unless the row
    holds more faces than fit side by side, as in the densest crowd)."""
    rows = street_rows(params, rng)
    per_row = [len(range(r, params.crowd, ROWS)) for r in range(ROWS)]
    walkers: list[Walker] = []
    for lane in range(params.crowd):
        row_index, slot = lane % ROWS, lane // ROWS
        row = rows[row_index]
        phase = (slot + float(rng.uniform(-0.2, 0.2))) / per_row[row_index]
        frame, first = 0, True
        while frame < params.frames:
            sprite = picker.next()
            face_h = row.face_px * float(rng.uniform(0.95, 1.05))
            half = 0.5 * face_h
            span = WIDTH + face_h  # the face centre walks from -half to WIDTH + half
            travelled = phase * span if first else 0.0
            start_x = -half + travelled if row.speed > 0 else WIDTH + half - travelled
            end = frame + max(1, int(np.ceil((span - travelled) / abs(row.speed))))
            depth = row_index + slot / (params.crowd + 1)  # far rows first; stable within a row
            scale = face_h / (sprite.face[3] - sprite.face[1])
            walkers.append(
                Walker(
                    len(walkers), sprite, scale, depth, row.face_y, start_x, row.speed, frame, end
                )
            )
            frame, first = end, False
    return walkers


def place(walker: Walker, frame: int) -> tuple[int, int]:
    """Top-left corner of the walker's sprite in ``frame`` (with a small walking bob)."""
    left, top, right, bottom = (v * walker.scale for v in walker.sprite.face)
    bob = 3.0 * np.sin(2 * np.pi * 1.8 * (frame - walker.start) / FPS + walker.id)
    x = walker.face_x(frame) - 0.5 * (left + right)
    y = walker.face_y + bob - 0.5 * (top + bottom)
    return round(x), round(y)


def blend(
    canvas: npt.NDArray[np.uint8],
    labels: npt.NDArray[np.int32],
    sprite: tuple[npt.NDArray[np.uint8], npt.NDArray[np.float32]],
    corner: tuple[int, int],
    label: int,
) -> None:
    """Alpha-blend the sprite at ``corner`` (clipped to the frame); mark its pixels in labels."""
    image, alpha = sprite
    x, y = corner
    x0, y0 = max(0, x), max(0, y)
    x1, y1 = min(WIDTH, x + image.shape[1]), min(HEIGHT, y + image.shape[0])
    if x0 >= x1 or y0 >= y1:
        return
    part = image[y0 - y : y1 - y, x0 - x : x1 - x].astype(np.float32)
    a = alpha[y0 - y : y1 - y, x0 - x : x1 - x, None]
    region = canvas[y0:y1, x0:x1].astype(np.float32)
    canvas[y0:y1, x0:x1] = (region + a * (part - region)).astype(np.uint8)
    labels[y0:y1, x0:x1][a[..., 0] > 0.5] = label


def face_box(walker: Walker, corner: tuple[int, int]) -> tuple[int, int, int, int]:
    left, top, right, bottom = (v * walker.scale for v in walker.sprite.face)
    return (
        round(corner[0] + left),
        round(corner[1] + top),
        round(corner[0] + right),
        round(corner[1] + bottom),
    )


def visible_share(labels: npt.NDArray[np.int32], box: tuple[int, int, int, int], label: int) -> int:
    """Percent of the face box that is in the frame and not hidden by a nearer face."""
    left, top, right, bottom = box
    area = max(1, (right - left) * (bottom - top))
    seen = labels[max(0, top) : max(0, bottom), max(0, left) : max(0, right)] == label
    return round(100.0 * int(seen.sum()) / area)


def render_frame(
    background: npt.NDArray[np.uint8],
    walkers: list[Walker],
    sprites: dict[int, tuple[npt.NDArray[np.uint8], npt.NDArray[np.float32]]],
    frame: int,
) -> tuple[npt.NDArray[np.uint8], list[list[int]]]:
    """The frame (RGB) and its truth rows: [walker, left, top, right, bottom, visible %]."""
    canvas = background.copy()
    labels = np.full((HEIGHT, WIDTH), -1, np.int32)
    on = sorted((w for w in walkers if w.start <= frame < w.end), key=lambda w: w.depth)
    boxes = {}
    for walker in on:
        corner = place(walker, frame)
        blend(canvas, labels, sprites[walker.id], corner, walker.id)
        boxes[walker.id] = face_box(walker, corner)
    rows = [[w.id, *boxes[w.id], visible_share(labels, boxes[w.id], w.id)] for w in on]
    return canvas, rows


def walker_record(walker: Walker) -> dict[str, Any]:
    return {
        "id": walker.id,
        "identity": walker.sprite.identity,
        "photo": walker.sprite.photo,
        "watchlisted": walker.sprite.watchlisted,
        "same_photo": walker.sprite.same_photo,
        "face_px": round((walker.sprite.face[3] - walker.sprite.face[1]) * walker.scale),
        "speed_px_s": round(walker.speed * FPS, 1),
        "frames": [walker.start, walker.end],
    }


def cached(clip: Path, truth: Path, params: CrowdParams) -> bool:
    if not (clip.is_file() and truth.is_file()):
        return False
    try:
        saved = json.loads(truth.read_text())["params"]
    except (ValueError, KeyError):
        return False
    return saved == json.loads(json.dumps(asdict(params))) and frame_count(clip) == params.frames


def make_crowd_clip(
    cast: Cast, params: CrowdParams, out: Path, force: bool, progress: bool
) -> tuple[Path, dict[str, Any]]:
    """Write (or reuse) ``crowd_N.mp4`` and ``crowd_N_truth.json``; returns the clip, truth."""
    clip = out / f"crowd_{params.crowd}.mp4"
    truth_path = out / f"crowd_{params.crowd}_truth.json"
    if not force and cached(clip, truth_path, params):
        return clip, json.loads(truth_path.read_text())
    rng = np.random.default_rng([params.seed, params.crowd])
    background = street_background(rng)
    walkers = lane_walkers(params, rng, Picker(cast, rng))
    sprites = {w.id: walker_sprite(w) for w in walkers}
    writer = cv2.VideoWriter(str(clip), cv2.VideoWriter.fourcc(*"mp4v"), FPS, (WIDTH, HEIGHT))
    if not writer.isOpened():
        raise SystemExit(f"bench: OpenCV cannot write {clip} with mp4v")
    frames: list[list[list[int]]] = []
    try:
        for index in tqdm(
            range(params.frames), desc=f"crowd {params.crowd} clip", disable=not progress
        ):
            image, rows = render_frame(background, walkers, sprites, index)
            writer.write(cv2.cvtColor(image, cv2.COLOR_RGB2BGR))
            frames.append(rows)
    finally:
        writer.release()
    truth = {
        "params": asdict(params),
        "size": [WIDTH, HEIGHT],
        "fps": FPS,
        "walkers": [walker_record(w) for w in walkers],
        "frames": frames,
    }
    truth_path.write_text(json.dumps(truth, separators=(",", ":")) + "\n")
    return clip, truth
