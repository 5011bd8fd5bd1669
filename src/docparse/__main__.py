from docparse.cli import main

raise SystemExit(main())
