/** Measurement dates as ISO 8601 UTC text with microseconds ("2013-11-13T16:14:03.794232Z"). */
export function isoFromMicros(micros: number): string {
  const ms = Math.floor(micros / 1000);
  const seconds = new Date(ms).toISOString().slice(0, 19);
  const fraction = String(micros - Math.floor(micros / 1e6) * 1e6).padStart(6, '0');
  return `${seconds}.${fraction}Z`;
}
