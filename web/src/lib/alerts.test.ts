import { describe, expect, it } from "vitest";
import { ALERTS_KEPT, mergeAlerts, type Alert } from "./alerts";

const alert = (id: string, time: number, sequence = 0): Alert => ({
  id,
  kind: "large_trade",
  severity: "warning",
  symbol: "BTC-KRW",
  time,
  sequence,
  accounts: [1, 2],
  executions: ["7"],
  orders: ["10", "11"],
  summary: "",
});

describe("mergeAlerts", () => {
  it("keeps each id once, newest first", () => {
    const merged = mergeAlerts([alert("a", 1), alert("b", 3)], [alert("c", 2), alert("a", 1)]);
    expect(merged.map((a) => a.id)).toEqual(["b", "c", "a"]);
  });
  it("orders alerts of one millisecond by sequence", () => {
    expect(mergeAlerts([], [alert("x", 5, 1), alert("y", 5, 2)]).map((a) => a.id)).toEqual(["y", "x"]);
  });
  it("keeps the newest only", () => {
    const many = Array.from({ length: ALERTS_KEPT + 5 }, (_, i) => alert(`id${i}`, i));
    const merged = mergeAlerts([], many);
    expect(merged).toHaveLength(ALERTS_KEPT);
    expect(merged[0].id).toBe(`id${ALERTS_KEPT + 4}`);
  });
});
