from healthlint.cli import main

raise SystemExit(main())
