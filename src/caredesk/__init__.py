"""Caredesk: self-hostable social customer care."""

import os

# Triage multiplies small matrices, one message batch at a time, in web and worker processes
# that already keep every core busy; a multi-threaded BLAS would spin threads on every core
# for each of them. Set before numpy is first imported; an explicit setting wins.
for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

__version__ = "0.1.0"
