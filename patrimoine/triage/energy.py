"""Energy estimate of the assistant: CPU-seconds × the power of one core.

WATTS_PER_CORE = 15 W: a typical server processor's thermal design power divided by its cores
(e.g. a 16-core part at ~240 W TDP, or an 8-core part at 120 W), rounded up. It over-estimates a
core that is not at full load, and leaves out memory, disks, network and cooling (multiply by the
data centre's PUE, ~1.5, for those). An order of magnitude, not a measurement.
"""

WATTS_PER_CORE = 15.0


def joules(cpu_seconds: float) -> float:
    return float(cpu_seconds or 0) * WATTS_PER_CORE


def watt_hours(cpu_seconds: float) -> float:
    return joules(cpu_seconds) / 3600
