"""dlib's ResNet face descriptor converted to ONNX from dlib's own ``.dat`` file.

``dat_reader`` reads dlib's serialisation into frozen dataclasses, ``resnet_plan`` recognises
the residual network in it (affine layers folded into the convolutions), ``resnet_graph``
writes that plan as an ONNX graph, and ``cache`` converts once per weights file into the
user's cache directory. Nothing is converted or loaded at import time.
"""
