from kube2pod.cli import main

raise SystemExit(main())
