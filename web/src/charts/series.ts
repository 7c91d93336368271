/** One line or bar series of a time chart: [time ms, value] per bucket. */
export interface Series {
  name: string;
  kind: 'line' | 'bar';
  points: [number, number | null][];
}
