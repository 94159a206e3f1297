import numpy as np
import pytest

from lfr.match.index import ExactIndex


def test_matches_brute_force_distances() -> None:
    rng = np.random.default_rng(1)
    templates = rng.normal(size=(500, 128)).astype(np.float32)
    probes = rng.normal(size=(7, 128)).astype(np.float32)
    distances, indices = ExactIndex(templates).search(probes, k=3)
    full = np.linalg.norm(probes[:, None, :] - templates[None, :, :], axis=2)
    expected = np.sort(full, axis=1)[:, :3]
    np.testing.assert_allclose(distances, expected, rtol=1e-4, atol=1e-4)
    np.testing.assert_array_equal(indices, np.argsort(full, axis=1)[:, :3])


def test_exact_template_has_distance_zero() -> None:
    templates = np.eye(4, dtype=np.float32)
    distances, indices = ExactIndex(templates).search(templates[2])
    assert indices[0, 0] == 2
    assert distances[0, 0] == pytest.approx(0.0, abs=1e-6)


def test_k_larger_than_index_and_empty_index() -> None:
    distances, _ = ExactIndex(np.eye(2, dtype=np.float32)).search(np.ones(2, np.float32), k=5)
    assert distances.shape == (1, 2)
    empty, _ = ExactIndex(np.zeros((0, 4), np.float32)).search(np.ones(4, np.float32))
    assert empty.shape == (1, 0)


def test_twenty_thousand_templates_each_find_themselves() -> None:
    # Correctness at the size of a large watchlist; its speed is measured in bench/, not here,
    # where a busy machine would make any time bound flaky.
    templates = np.random.default_rng(2).normal(size=(20_000, 128)).astype(np.float32)
    index = ExactIndex(templates)
    rows = np.arange(0, 20_000, 1_000)
    distances, indices = index.search(templates[rows], k=2)
    np.testing.assert_array_equal(indices[:, 0], rows)
    np.testing.assert_allclose(distances[:, 0], 0.0, atol=0.05)  # float32 |a|^2 + |b|^2 - 2ab
    assert (distances[:, 1] > 1.0).all()  # the runner-up is another, distant template
