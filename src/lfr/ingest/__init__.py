"""Frame sources: video files, streams, webcams and image folders."""
