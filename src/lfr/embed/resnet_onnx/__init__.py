"""dlib's ResNet face descriptor converted to ONNX from dlib's own ``.dat`` file.

:mod:`lfr.dlibnet` reads dlib's serialisation into frozen dataclasses, ``plan``
recognises the residual network in it (affine layers folded into the convolutions),
``graph`` writes that plan as an ONNX graph, and ``convert`` converts in memory (or to a
file for ``lfr models convert``); ``embedder`` runs it on ONNX Runtime. Nothing is
converted or loaded at import time.
"""
