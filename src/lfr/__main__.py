from lfr.cli import main

if __name__ == "__main__":  # guarded: the embedding worker process re-imports the main module
    raise SystemExit(main())
