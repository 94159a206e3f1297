"""An upload's photos are checked from their headers before any is decoded, within a pixel
budget per photo and per upload, and decoded on a worker thread (``lfr.api.photos``).

SQLite only: the web layer (routes, roles, pages, forms, JSON shapes) above governance services
whose own tests in tests/gov run on both backends; nothing here reaches the store in a way the
engines treat differently.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import Any
from unittest import mock

import numpy as np
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from PIL import ImageFile

from lfr.access.services import Services
from lfr.api import WebConfig, create_app
from lfr.config import ImageLimits
from lfr.events import InMemoryEventBus
from lfr.imaging import decode_image
from tests.api.helpers import FakeCameras, FakeEnroller, _Enroller, as_user, photo
from tests.gov.factories import add_users, snapshot
from tests.unit.image_bytes import encoded, png_bomb

pytestmark = pytest.mark.backends("sqlite")

SUBJECT = {
    "reference": "WL-9002",
    "display_name": "John Roe",
    "category": "wanted by the courts",
    "reason": "warrant 4321",
    "image_source": "custody record 56",
    "expires_days": "7",
}
SMALL = ImageLimits(max_pixels=5000, max_request_pixels=10_000, max_request_files=3)


@pytest.fixture
def small_app(
    services: Services, bus: InMemoryEventBus, web_config: WebConfig, cameras: FakeCameras
) -> FastAPI:
    """The app with tiny limits: 5,000 pixels a photo, 10,000 an upload, 3 photos."""
    add_users(services)
    config = replace(web_config, images=SMALL)
    return create_app(services, bus, config, cameras=cameras, enroller=FakeEnroller)


def square_png(side: int, seed: int) -> bytes:
    rng = np.random.default_rng(seed)
    return encoded(rng.integers(40, 255, (side, side, 3), dtype=np.uint8), "PNG")


def new_watchlist(client: TestClient) -> int:
    made = client.post("/api/watchlists", json={"name": "L"})
    assert made.status_code == 201, made.text
    return int(made.json()["id"])


def upload(client: TestClient, files: list[tuple[str, bytes]], watchlist_id: int = 0) -> Any:
    watchlist_id = watchlist_id or new_watchlist(client)
    return client.post(
        f"/api/watchlists/{watchlist_id}/entries",
        data=SUBJECT,
        files=[("photos", (name, data, "image/png")) for name, data in files],
    )


def test_a_31_kb_png_bomb_is_refused_with_413_naming_it_and_nothing_is_decoded(
    app: FastAPI, services: Services
) -> None:
    client = as_user(app, "wendy")
    watchlist_id = new_watchlist(client)
    before, calls = snapshot(services), _Enroller.calls
    bomb = png_bomb(16000, 16000)  # 768 MB as RGB pixels
    with mock.patch.object(ImageFile.ImageFile, "load") as decoder:  # Pillow's JPEG/PNG decoding
        response = upload(client, [("front.jpg", photo(1)), ("bomb.png", bomb)], watchlist_id)
    assert response.status_code == 413, response.text
    assert response.json() == {
        "detail": "too large: bomb.png (nothing was added)",
        "files": [
            {
                "file": "bomb.png",
                "problem": "too large: over 179 megapixels; the limit is 40 megapixels per image",
            }
        ],
    }
    decoder.assert_not_called()  # not even the good photo: every header is checked first
    assert snapshot(services) == before and _Enroller.calls == calls
    assert client.get(f"/api/watchlists/{watchlist_id}/entries").json() == []


def test_a_photo_over_the_pixel_limit_is_refused_naming_its_size(small_app: FastAPI) -> None:
    response = upload(as_user(small_app, "wendy"), [("big.png", square_png(100, 1))])
    assert response.status_code == 413
    (problem,) = response.json()["files"]
    assert problem["file"] == "big.png"
    assert problem["problem"].startswith("too large: 100 x 100 pixels (0.01 megapixels)")


def test_photos_past_the_uploads_pixel_budget_are_refused_naming_the_one_that_tips_it(
    small_app: FastAPI,
) -> None:
    client = as_user(small_app, "wendy")
    watchlist_id = new_watchlist(client)
    three = [(f"{name}.png", square_png(60, seed)) for seed, name in enumerate("abc")]  # 3,600 px
    response = upload(client, three, watchlist_id)
    assert response.status_code == 413
    assert response.json()["detail"] == "too large: c.png (nothing was added)"
    (problem,) = response.json()["files"]
    assert problem["file"] == "c.png"
    assert problem["problem"].startswith(
        "over the upload's budget: the photos up to this one come to 0.0108 megapixels"
    )
    assert upload(client, three[:2], watchlist_id).status_code == 201  # 7,200 pixels fit


def test_more_photos_than_an_upload_may_hold_is_413(small_app: FastAPI) -> None:
    four = [(f"{seed}.png", square_png(20, seed)) for seed in range(4)]
    response = upload(as_user(small_app, "wendy"), four)
    assert response.status_code == 413
    assert response.json() == {"detail": "too many photos in one upload: the limit is 3"}


def test_photos_are_decoded_on_a_worker_thread_not_the_event_loop(
    app: FastAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    where: list[str] = []

    def spy(data: bytes, limits: ImageLimits) -> Any:
        try:
            asyncio.get_running_loop()
            where.append("event loop")
        except RuntimeError:
            where.append("worker thread")
        return decode_image(data, limits)

    monkeypatch.setattr("lfr.api.photos.decode_image", spy)
    response = upload(as_user(app, "wendy"), [("front.png", square_png(48, 1))])
    assert response.status_code == 201, response.text
    assert where == ["worker thread"]
