import { describe, expect, it } from "vitest";
import type { Order, OwnExecution } from "./api";
import { executionsOfAnswer, mergeExecutions } from "./executions";

const execution = (exec_id: string, time: number, is_maker = false): OwnExecution => ({
  exec_id,
  order_id: "7",
  symbol: "BTC-KRW",
  side: "Buy",
  price: 50_000_000,
  quantity: 0.001,
  fee: 25,
  fee_asset: "KRW",
  is_maker,
  transaction_time: time,
});

describe("own executions", () => {
  it("keeps what the answer reported while the history has not caught up", () => {
    const answered = [execution("9", 2000)];
    const stale = [execution("8", 1000)];
    expect(mergeExecutions(stale, answered).map((e) => e.exec_id)).toEqual(["9", "8"]);
  });

  it("counts each execution once per side, newest first, bounded", () => {
    const merged = mergeExecutions(
      [execution("1", 1000), execution("2", 2000), execution("2", 2000, true)],
      [execution("2", 2000), execution("3", 3000)],
      3,
    );
    expect(merged.map((e) => `${e.exec_id}${e.is_maker ? "m" : "t"}`)).toEqual(["3t", "2t", "2m"]);
  });

  it("turns an order's answer into history rows", () => {
    const order = {
      order_id: "42",
      symbol: "ETH-KRW",
      side: "Sell",
      executions: [{ exec_id: "5", price: 1, quantity: 2, fee: 0, fee_asset: "KRW", is_maker: false, transaction_time: 9 }],
    } as unknown as Order;
    expect(executionsOfAnswer(order)).toEqual([
      { exec_id: "5", price: 1, quantity: 2, fee: 0, fee_asset: "KRW", is_maker: false, transaction_time: 9,
        order_id: "42", symbol: "ETH-KRW", side: "Sell" },
    ]);
  });
});
