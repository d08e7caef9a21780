import { describe, expect, it } from "vitest";
import { floorToStep, formatDecimal, formatPercent, toRequestText } from "./format";

describe("formatDecimal", () => {
  it("shows the market's decimals, grouped", () => {
    expect(formatDecimal(50000000, 0)).toBe("50,000,000");
    expect(formatDecimal(0.0018, 4)).toBe("0.0018");
    expect(formatDecimal(1.5, 4)).toBe("1.5000");
    expect(formatDecimal(1234.5, 2)).toBe("1,234.50");
  });
  it("shows a dash for what is not there", () => {
    expect(formatDecimal(null, 2)).toBe("–");
    expect(formatDecimal(undefined, 2)).toBe("–");
  });
});

describe("request text and steps", () => {
  it("never sends more decimals than the market takes", () => {
    expect(toRequestText(0.1 + 0.2, 4)).toBe("0.3000");
    expect(toRequestText(50000000, 0)).toBe("50000000");
  });
  it("rounds down to the lot", () => {
    expect(floorToStep(0.123456, 0.0001, 4)).toBeCloseTo(0.1234, 10);
    expect(floorToStep(9.99999, 0.001, 4)).toBeCloseTo(9.999, 10);
    expect(floorToStep(0.3, 0.1, 1)).toBeCloseTo(0.3, 10); // 0.3 / 0.1 is 2.9999... in binary
    expect(floorToStep(1234567, 1000, 0)).toBe(1234000);
  });
  it("signs a change", () => {
    expect(formatPercent(1.234)).toBe("+1.23%");
    expect(formatPercent(-0.5)).toBe("-0.50%");
  });
});
