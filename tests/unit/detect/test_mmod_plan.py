"""Reading dlib's MMOD detector: the loss options, the pyramid input, batch norms loaded as
affine layers, and the plan (folded convolutions, where an output position sits in the input)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from lfr.detect.mmod_onnx.plan import AxisMap, plan_mmod
from lfr.dlibnet.dat_reader import read_network
from lfr.dlibnet.layers import (
    Affine,
    BoxOverlap,
    Conv,
    DatFormatError,
    DetectorWindow,
    InputRgbPyramid,
    MmodLoss,
    Relu,
)
from lfr.embed.resnet_onnx.plan import plan_resnet
from lfr.models import dlib_model_paths
from tests.unit.dlib_dat_bytes import network_bytes, random_resnet
from tests.unit.dlib_mmod_bytes import mmod_bytes, random_mmod

TWO_WINDOWS = (DetectorWindow(12, 12, "face"), DetectorWindow(8, 14, "face"))


def test_a_written_detector_reads_back_layer_for_layer() -> None:
    tiny = random_mmod(channels=(4, 6, 5))
    net = read_network(mmod_bytes(tiny))
    want = tiny.network()
    assert net.loss == want.loss and net.input == want.input
    assert net.wrappers == "L" * 10
    assert [type(layer) for layer in net.layers] == [Conv, Affine, Relu] * 3 + [Conv]
    for ours, theirs in zip(net.layers, want.layers, strict=True):
        if isinstance(ours, Affine) and isinstance(theirs, Affine):
            np.testing.assert_array_equal(ours.gamma, theirs.gamma)
            np.testing.assert_array_equal(ours.beta, theirs.beta)


def test_batch_norm_becomes_dlibs_affine_layer() -> None:
    tiny = random_mmod()
    affine = read_network(mmod_bytes(tiny)).layers[1]
    norm = tiny.norms[0]
    assert isinstance(affine, Affine) and affine.per_channel
    scale = norm.gamma.astype(np.float64) / np.sqrt(norm.running_variances + norm.eps)
    np.testing.assert_allclose(affine.gamma, scale, rtol=1e-6)
    np.testing.assert_allclose(affine.beta, norm.beta - scale * norm.running_means, atol=1e-6)


def test_old_and_new_forms_of_options_and_input() -> None:
    old = read_network(mmod_bytes(random_mmod()))
    assert old.input == InputRgbPyramid(old.input.mean_rgb, 10, 11)  # dlib's defaults
    assert isinstance(old.loss, MmodLoss) and old.loss.windows == (DetectorWindow(12, 12, ""),)
    new = read_network(
        mmod_bytes(random_mmod(windows=TWO_WINDOWS, paddings=(4, 6), options_version=4))
    )
    assert isinstance(new.input, InputRgbPyramid)
    assert (new.input.padding, new.input.outer_padding) == (4, 6)
    assert new.loss == MmodLoss(TWO_WINDOWS, BoxOverlap(0.3382761351109955, 1.0), False)


def test_plan_folds_each_affine_into_its_convolution() -> None:
    tiny = random_mmod()
    plan = plan_mmod(read_network(mmod_bytes(tiny)))
    assert len(plan.convs) == 3
    conv, affine = tiny.convs[0], tiny.norms[0].as_affine()
    gamma = affine.gamma.astype(np.float64)
    np.testing.assert_allclose(
        plan.convs[0].weights, conv.filters * gamma[:, None, None, None], rtol=1e-6
    )
    assert conv.biases is not None
    np.testing.assert_allclose(plan.convs[0].biases, conv.biases * gamma + affine.beta, rtol=1e-5)
    last = tiny.convs[-1]  # no affine after the last convolution
    np.testing.assert_array_equal(plan.convs[-1].weights, last.filters)


def test_output_positions_map_into_the_input_as_dlib_maps_them() -> None:
    # The padded 5x5 and 3x3 keep p (p - 2 + 5 // 2, p - 1 + 3 // 2); the unpadded stride-2
    # 5x5 makes it 2p + 5 // 2.
    plan = plan_mmod(read_network(mmod_bytes(random_mmod())))
    assert plan.columns == plan.rows == AxisMap(2, 2)


def test_the_installed_detector_reads_completely() -> None:
    net = read_network(dlib_model_paths().mmod_detector)
    plan = plan_mmod(net)
    assert [c.weights.shape[0] for c in plan.convs] == [16, 32, 32, 45, 45, 45, 1]
    assert plan.windows == (DetectorWindow(80, 80, ""),)
    assert plan.overlaps_nms.covered == 1.0 and 0.3 < plan.overlaps_nms.iou < 0.35
    # Three stride-2 5x5 downsamplers: output p is input 8p + 14 (dlib's example's mapping).
    assert plan.columns == plan.rows == AxisMap(8, 14)
    assert (plan.padding, plan.outer_padding) == (10, 11)


def test_networks_that_are_not_the_detector_are_refused() -> None:
    resnet = read_network(network_bytes(random_resnet(9, [])))
    with pytest.raises(DatFormatError, match="not dlib's MMOD"):
        plan_mmod(resnet)
    detector = read_network(mmod_bytes(random_mmod()))
    with pytest.raises(DatFormatError, match="not dlib's face-descriptor ResNet"):
        plan_resnet(detector)
    no_relu = tuple(layer for layer in detector.layers if not isinstance(layer, Relu))
    with pytest.raises(DatFormatError, match="expected con, affine, relu"):
        plan_mmod(dataclasses.replace(detector, layers=no_relu))
    with pytest.raises(DatFormatError, match="tag or skip"):
        plan_mmod(dataclasses.replace(detector, wrappers="T" + detector.wrappers[1:]))


def test_window_count_and_box_regression_must_fit_the_network() -> None:
    detector = read_network(mmod_bytes(random_mmod()))
    assert isinstance(detector.loss, MmodLoss)
    two = dataclasses.replace(detector.loss, windows=TWO_WINDOWS)
    with pytest.raises(DatFormatError, match="1 channels for 2 detector windows"):
        plan_mmod(dataclasses.replace(detector, loss=two))
    regression = dataclasses.replace(detector.loss, bounding_box_regression=True)
    with pytest.raises(DatFormatError, match="bounding box regression"):
        plan_mmod(dataclasses.replace(detector, loss=regression))
