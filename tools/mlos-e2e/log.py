"""The system test's progress lines on stdout, each with the time of day."""

import time


def log(message):
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)
