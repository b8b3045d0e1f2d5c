/** A small trend line of a KPI: oldest value on the left, the last one marked. Nulls are gaps. */
export function Sparkline({ values, label, width = 120, height = 28 }: { values: (number | null)[]; label: string; width?: number; height?: number }) {
  const known = values.filter((v): v is number => v !== null && Number.isFinite(v));
  if (known.length < 2) return null;
  const lo = Math.min(...known), hi = Math.max(...known);
  const span = hi - lo || 1;
  const x = (i: number) => (values.length === 1 ? 0 : (i / (values.length - 1)) * (width - 4) + 2);
  const y = (v: number) => height - 2 - ((v - lo) / span) * (height - 4);
  // One path with a move at every gap, so a missing day is not drawn as a straight line.
  let d = '';
  let pen = false;
  values.forEach((v, i) => {
    if (v === null || !Number.isFinite(v)) { pen = false; return; }
    d += `${pen ? 'L' : 'M'}${x(i).toFixed(1)},${y(v).toFixed(1)}`;
    pen = true;
  });
  let last = values.length - 1;
  while (last >= 0 && (values[last] === null || !Number.isFinite(values[last] as number))) last--;
  return (
    <svg width={width} height={height} viewBox={`0 0 ${width} ${height}`} role="img" aria-label={label} data-testid="sparkline" data-points={known.length}>
      <path d={d} fill="none" stroke="currentColor" strokeWidth={1.5} className="text-slate-500" />
      {last >= 0 && <circle cx={x(last)} cy={y(values[last] as number)} r={2.5} className="fill-slate-800" />}
    </svg>
  );
}
