from tlsdoctor.cli.main import main

raise SystemExit(main())
