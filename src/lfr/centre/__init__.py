"""The moving parts of ``lfr serve`` around the governed store: the cameras' port onto it
(``camera_port``), and the jobs that run on their own threads (schedule enforcement, the
retention purge, publishing the audit head) on one ``periodic`` helper."""
