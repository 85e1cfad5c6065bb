import sys

from nianbao.cli.app import main

sys.exit(main())
