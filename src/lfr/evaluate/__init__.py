"""Accuracy and equitability evaluation of the recognition engine (``lfr evaluate``).

The numbers are those of the system as deployed: photos go through the engine's own photo path
(detector, one-face rule, quality gate, alignment, embedder), distances come from the live
search code, and a clip goes through the live pipeline.

- ``metrics``: rates with Clopper-Pearson intervals, FMR/FNMR/EER, TPIR/FNIR/FPIR, scaling
  to larger watchlists, threshold calibration (pure functions, hand-checked in unit tests);
- ``dataset``: identity folders or a pairs file, groups and mapping files, the fingerprint;
- ``embeddings``: every photo embedded once, failures to acquire kept with their reasons;
- ``verification``, ``identification``: the 1:1 pairs and the open-set 1:N protocol;
- ``equitability``: rates per group and significance tests;
- ``video``: true alerts, false alerts and missed people on a clip with ground truth;
- ``evaluation``: runs all of it; ``report`` and ``plots`` write JSON, HTML and PNG.
"""
