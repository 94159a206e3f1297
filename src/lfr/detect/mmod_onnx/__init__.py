"""dlib's MMOD CNN face detector converted to ONNX from its own ``.dat`` file.

:mod:`lfr.dlibnet` reads the file, ``plan`` recognises the network in it (affine layers
folded into the convolutions), ``graph`` writes the fully convolutional part as an ONNX
graph and ``convert`` converts in memory or to a file. Around the graph, in numpy as dlib
does it: ``pyramid`` tiles the image and its smaller copies into one tensor, and ``boxes``
turns the score map into boxes with the loss layer's detector windows and its non-maximum
suppression; ``detector`` is the backend the registry builds (``lfr.detect.registry``).
Nothing is converted or loaded at import time.
"""
