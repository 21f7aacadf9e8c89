"""Components started as one and stopped as one: SIGTERM while starting or while running leaves no process."""

import signal
import subprocess
import sys
import textwrap
import time

from ingot.airflow_processes import descendants, process_table

# A command with a component that starts a grandchild (as the scheduler starts task processes), then a pause
# standing for the start-up of the next component, then the wait.
SCRIPT = textwrap.dedent("""
    import sys, time
    from ingot.airflow_processes import Components
    with Components({}) as components:
        components.start("first", ["sh", "-c", "sleep 300 & sleep 300"])
        print("started", flush=True)
        if sys.argv[1] == "starting":
            time.sleep(300)
        sys.exit(components.run())
""")


def run_and_stop(phase: str) -> tuple[int, list[int]]:
    process = subprocess.Popen([sys.executable, "-c", SCRIPT, phase], stdout=subprocess.PIPE, text=True,
                               start_new_session=True)
    try:
        assert process.stdout.readline().strip() == "started"
        deadline = time.monotonic() + 60
        while len(descendants(process.pid)) < 3 and time.monotonic() < deadline:  # sh and its two sleeps
            time.sleep(0.1)
        below = descendants(process.pid)
        assert len(below) == 3, "the component and the two processes it started"
        process.send_signal(signal.SIGTERM)
        returncode = process.wait(timeout=120)
        table = process_table()
        return returncode, [pid for pid in below if pid in table and table[pid][0] != "Z"]
    finally:
        if process.poll() is None:
            process.kill()


def test_sigterm_while_running_stops_every_component_and_what_it_started():
    returncode, left = run_and_stop("running")
    assert (returncode, left) == (0, [])


def test_sigterm_while_still_starting_stops_what_was_started():
    returncode, left = run_and_stop("starting")
    assert (returncode, left) == (0, [])


def test_a_component_that_ends_on_its_own_ends_the_rest_with_its_code():
    script = textwrap.dedent("""
        import sys
        from ingot.airflow_processes import Components
        with Components({}) as components:
            components.start("long", ["sleep", "300"])
            components.start("short", ["sh", "-c", "exit 3"])
            sys.exit(components.run())
    """)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert result.returncode == 3
    assert result.stdout.strip() == "short exited with code 3"
