from lfr.cli import main

raise SystemExit(main())
