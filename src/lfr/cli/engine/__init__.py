"""Commands that run the engine itself: scan a video or camera, enrol watchlist files,
evaluate accuracy, check the models, listen to a running server's alerts."""
