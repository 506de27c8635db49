/**
 * The clock the ECS, ELBv2 and CloudWatch emulation read: wall time for timestamps, and a scale that turns
 * the simulated seconds AWS talks in (bake minutes, alarm periods, health-check intervals) into real
 * milliseconds. Tests pass a virtual `now` and step it, so nothing waits real minutes.
 */
export interface ScaledClock {
  now(): number;
  /** Real milliseconds per simulated millisecond: 1 is real time, 0.01 makes a 60 s period 0.6 s. */
  scale: number;
}

/** Real milliseconds that `seconds` of simulated AWS time take on this clock. */
export function scaledMs(clock: ScaledClock, seconds: number): number {
  return seconds * 1000 * clock.scale;
}
