// Numbers as a market shows them: fixed decimals (the market's), grouped thousands. The API sends
// exact decimals as JSON numbers; they are only ever displayed or sent back as text here, never
// accumulated, so a binary float never shows through.

export function formatDecimal(value: number | null | undefined, decimals: number): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "–";
  return value.toLocaleString("en-US", {
    minimumFractionDigits: decimals,
    maximumFractionDigits: decimals,
  });
}

// The text of a quantity or price as the API accepts it: no grouping, at most `decimals`.
export function toRequestText(value: number, decimals: number): string {
  return value.toFixed(decimals);
}

// Rounds down to a multiple of `step` (a tick or lot), in the market's decimals.
export function floorToStep(value: number, step: number, decimals: number): number {
  if (step <= 0) return value;
  const scale = 10 ** decimals;
  const units = Math.round(step * scale);
  const floored = Math.floor(Math.round(value * scale * 1e6) / 1e6 / units) * units;
  return floored / scale;
}

// A balance or a fee: as many decimals as it has (the API sends the asset's exact decimals).
export function formatAmount(value: number): string {
  return value.toLocaleString("en-US", { maximumFractionDigits: 8 });
}

export function formatPercent(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "–";
  return `${value > 0 ? "+" : ""}${value.toFixed(2)}%`;
}

export function formatTime(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}
