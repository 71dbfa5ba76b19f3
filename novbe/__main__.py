from novbe.cli import main

raise SystemExit(main())
