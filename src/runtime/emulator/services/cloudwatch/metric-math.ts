/**
 * The part of CloudWatch metric math an alarm on several metrics needs: one expression over the
 * ids of the alarm's MetricStat queries, evaluated period by period. Supported: numbers, ids,
 * `+ - * / ^`, parentheses, unary minus, lists `[a, b]`, `METRICS()` (every MetricStat query), and the
 * functions SUM, AVG, MIN, MAX (of a list or of several arguments), ABS and FILL(x, value).
 * As in CloudWatch, a period where a metric has no datapoint is missing for that metric: SUM/AVG/
 * MIN/MAX use the values present (none present: missing), arithmetic with a missing operand is
 * missing, FILL gives missing periods a value.
 */

export class MetricMathError extends Error {
  override readonly name = "MetricMathError";
}

export type Node =
  | { kind: "number"; value: number }
  | { kind: "string"; value: string }
  | { kind: "id"; id: string }
  | { kind: "list"; items: Node[] }
  | { kind: "call"; name: string; args: Node[] }
  | { kind: "unary"; operand: Node }
  | { kind: "binary"; op: "+" | "-" | "*" | "/" | "^"; left: Node; right: Node };

type Value = number | undefined | (number | undefined)[];

const TOKEN = /\s*(\d+(?:\.\d+)?(?:[eE][-+]?\d+)?|[A-Za-z_][A-Za-z0-9_]*|"[^"]*"|[-+*/^(),[\]])/y;

function tokenize(expression: string): string[] {
  const tokens: string[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < expression.length) {
    if (/^\s*$/.test(expression.slice(TOKEN.lastIndex))) break;
    const match = TOKEN.exec(expression);
    if (!match) throw new MetricMathError(`Unsupported character in metric math expression: ${expression}`);
    tokens.push(match[1]!);
  }
  return tokens;
}

export function parseExpression(expression: string): Node {
  const tokens = tokenize(expression);
  let pos = 0;
  const peek = () => tokens[pos];
  const take = (expected?: string) => {
    const token = tokens[pos++];
    if (token === undefined || (expected !== undefined && token !== expected)) {
      throw new MetricMathError(`Invalid metric math expression: ${expression}`);
    }
    return token;
  };
  const expr = (): Node => {
    let left = term();
    while (peek() === "+" || peek() === "-") {
      const op = take() as "+" | "-";
      left = { kind: "binary", op, left, right: term() };
    }
    return left;
  };
  const term = (): Node => {
    let left = power();
    while (peek() === "*" || peek() === "/") {
      const op = take() as "*" | "/";
      left = { kind: "binary", op, left, right: power() };
    }
    return left;
  };
  // `^` binds tighter than `*` and `/`, and groups to the right (2^3^2 is 2^9).
  const power = (): Node => {
    const base = factor();
    if (peek() !== "^") return base;
    take("^");
    return { kind: "binary", op: "^", left: base, right: power() };
  };
  const args = (close: string): Node[] => {
    const items: Node[] = [];
    if (peek() !== close) {
      items.push(expr());
      while (peek() === ",") {
        take(",");
        items.push(expr());
      }
    }
    take(close);
    return items;
  };
  const factor = (): Node => {
    const token = take();
    if (token === "-") return { kind: "unary", operand: factor() };
    if (token === "(") {
      const inner = expr();
      take(")");
      return inner;
    }
    if (token === "[") return { kind: "list", items: args("]") };
    if (/^\d/.test(token)) return { kind: "number", value: Number(token) };
    if (token.startsWith('"')) return { kind: "string", value: token.slice(1, -1) };
    if (/^[A-Za-z_]/.test(token)) {
      if (peek() === "(") {
        take("(");
        return { kind: "call", name: token.toUpperCase(), args: args(")") };
      }
      return { kind: "id", id: token };
    }
    throw new MetricMathError(`Invalid metric math expression: ${expression}`);
  };
  const node = expr();
  if (pos !== tokens.length) throw new MetricMathError(`Invalid metric math expression: ${expression}`);
  return node;
}

function flat(values: Value[]): (number | undefined)[] {
  return values.flatMap((v) => (Array.isArray(v) ? v : [v]));
}

function aggregate(name: string, values: (number | undefined)[]): number | undefined {
  const present = values.filter((v): v is number => v !== undefined && Number.isFinite(v));
  if (present.length === 0) return undefined;
  switch (name) {
    case "SUM":
      return present.reduce((a, b) => a + b, 0);
    case "AVG":
      return present.reduce((a, b) => a + b, 0) / present.length;
    case "MIN":
      return Math.min(...present);
    default:
      return Math.max(...present);
  }
}

/**
 * Evaluates `node` for one period. `values` gives each id's value in that period (undefined:
 * missing); `metricIds` are the MetricStat ids METRICS() stands for.
 */
export function evaluateAt(
  node: Node,
  values: ReadonlyMap<string, number | undefined>,
  metricIds: string[],
): Value {
  const scalar = (v: Value): number | undefined => {
    if (Array.isArray(v)) throw new MetricMathError("A list cannot be used as a number in metric math");
    return v;
  };
  switch (node.kind) {
    case "number":
      return node.value;
    case "string":
      throw new MetricMathError(`A string ("${node.value}") cannot be used as a number in metric math`);
    case "id":
      if (!values.has(node.id))
        throw new MetricMathError(`Unknown metric id ${node.id} in metric math expression`);
      return values.get(node.id);
    case "list":
      return flat(node.items.map((item) => evaluateAt(item, values, metricIds)));
    case "unary": {
      const v = scalar(evaluateAt(node.operand, values, metricIds));
      return v === undefined ? undefined : -v;
    }
    case "binary": {
      const a = scalar(evaluateAt(node.left, values, metricIds));
      const b = scalar(evaluateAt(node.right, values, metricIds));
      return a === undefined || b === undefined ? undefined : arithmetic(node.op, a, b);
    }
    case "call": {
      const args = node.args.map((arg) => evaluateAt(arg, values, metricIds));
      switch (node.name) {
        case "METRICS":
          return metricIds.map((id) => values.get(id));
        case "SUM":
        case "AVG":
        case "MIN":
        case "MAX":
          return aggregate(node.name, flat(args));
        case "ABS": {
          const v = scalar(args[0]);
          return v === undefined ? undefined : Math.abs(v);
        }
        case "FILL": {
          const v = scalar(args[0]);
          return v ?? scalar(args[1]);
        }
        default:
          throw new MetricMathError(`The emulator does not evaluate the metric math function ${node.name}`);
      }
    }
  }
}

export function arithmetic(op: "+" | "-" | "*" | "/" | "^", a: number, b: number): number | undefined {
  if (op === "^") return a ** b;
  if (op === "+") return a + b;
  if (op === "-") return a - b;
  if (op === "*") return a * b;
  return b === 0 ? undefined : a / b;
}
