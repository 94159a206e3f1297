"""Tiny valid ONNX graphs written as raw protobuf bytes (no ``onnx`` package needed), so the
loaders of the optional ONNX backends can be tested past file parsing without real weights."""

from __future__ import annotations


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        low, n = n & 0x7F, n >> 7
        out.append(low | 0x80 if n else low)
        if not n:
            return bytes(out)


def _int(field: int, n: int) -> bytes:
    return _varint(field << 3) + _varint(n)


def _msg(field: int, payload: bytes | str) -> bytes:
    data = payload.encode() if isinstance(payload, str) else payload
    return _varint(field << 3 | 2) + _varint(len(data)) + data


def _value_info(name: str, dims: list[int]) -> bytes:
    shape = b"".join(_msg(1, _int(1, d)) for d in dims)
    return _msg(1, name) + _msg(2, _msg(1, _int(1, 1) + _msg(2, shape)))  # float tensor


def _model(nodes: list[bytes], inputs: list[bytes], outputs: list[bytes], inits: bytes) -> bytes:
    graph = b"".join(_msg(1, n) for n in nodes) + _msg(2, "g") + inits
    graph += b"".join(_msg(11, i) for i in inputs) + b"".join(_msg(12, o) for o in outputs)
    return _int(1, 8) + _msg(7, graph) + _msg(8, _msg(1, "") + _int(2, 13))


def mean_pool_onnx() -> bytes:
    """x float[1,3,112,112] -> Reshape [1,128,294] -> ReduceMean(axes=[2]) -> y float[1,128]."""
    shape = [1, 128, 294]
    packed = b"".join(_varint(v) for v in shape)
    tensor = _int(1, 3) + _int(2, 7) + _msg(7, packed) + _msg(8, "shape")  # INT64 initializer
    reshape = _msg(1, "x") + _msg(1, "shape") + _msg(2, "r") + _msg(4, "Reshape")
    axes = _msg(1, "axes") + _int(8, 2) + _int(20, 7)
    keepdims = _msg(1, "keepdims") + _int(3, 0) + _int(20, 2)
    mean = _msg(1, "r") + _msg(2, "y") + _msg(4, "ReduceMean") + _msg(5, axes) + _msg(5, keepdims)
    return _model(
        [reshape, mean],
        [_value_info("x", [1, 3, 112, 112])],
        [_value_info("y", [1, 128])],
        _msg(5, tensor),
    )


def identity_onnx() -> bytes:
    node = _msg(1, "x") + _msg(2, "y") + _msg(4, "Identity")
    return _model(
        [node], [_value_info("x", [1, 3, 112, 112])], [_value_info("y", [1, 3, 112, 112])], b""
    )
