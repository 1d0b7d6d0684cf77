import sys

from benchmarks.latency.run import main

sys.exit(main())
