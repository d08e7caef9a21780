// Own executions as the screen keeps them: what an order's answer reported at once, and what
// GET /v1/execution returns. The history is read from the trade store, which takes in the journal
// a moment after the answer; executions never disappear, so the two are merged, never replaced.
import type { Order, OwnExecution } from "./api";

export const executionKey = (e: OwnExecution) => `${e.exec_id}-${e.is_maker ? "m" : "t"}`;

export function mergeExecutions(a: OwnExecution[], b: OwnExecution[], keep = 50): OwnExecution[] {
  const byKey = new Map<string, OwnExecution>();
  for (const e of [...a, ...b]) byKey.set(executionKey(e), e);
  return [...byKey.values()]
    .sort((x, y) => y.transaction_time - x.transaction_time || Number(y.exec_id) - Number(x.exec_id))
    .slice(0, keep);
}

// The executions an order's answer carries, as rows of the account's history.
export interface AnsweredExecution {
  exec_id: string;
  price: number;
  quantity: number;
  fee: number;
  fee_asset: string;
  is_maker: boolean;
  transaction_time: number;
}

export function executionsOfAnswer(order: Order & { executions?: AnsweredExecution[] }): OwnExecution[] {
  return (order.executions ?? []).map((e) => ({
    ...e,
    order_id: order.order_id,
    symbol: order.symbol,
    side: order.side,
  }));
}
