"""dlib's DNN files read in plain Python, for converting dlib's networks to ONNX.

``dat_reader`` reads a ``.dat`` (``dlib::serialize(net)``) into the frozen dataclasses of
``layers``; ``folding`` folds an affine layer into the convolution before it; ``onnx_graph``
collects ONNX nodes. Shared by the face-descriptor ResNet (``lfr.embed.resnet_onnx``) and the
MMOD face detector (``lfr.detect.mmod_onnx``); imports nothing of the engine. Nothing is
read or converted at import time.
"""
