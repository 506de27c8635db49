/**
 * A subset of CloudWatch metric math, enough for rate alarms: numbers, metric ids, + - * /, comparisons
 * (> >= < <= == !=), AND, OR, parentheses, IF(condition, then[, else]) and FILL(metric, value). A value is a
 * number or `undefined` (no datapoint); arithmetic on a missing value is missing, as CloudWatch drops the
 * datapoint, and FILL is how an expression turns a missing value into a number.
 */
export type Value = number | undefined;

type Node =
  | { kind: "number"; value: number }
  | { kind: "id"; name: string }
  | { kind: "negate"; operand: Node }
  | { kind: "binary"; operator: string; left: Node; right: Node }
  | { kind: "call"; name: string; args: Node[] };

export class MetricMathError extends Error {}

const TOKEN = /\s*(\d+(?:\.\d+)?|[A-Za-z_][A-Za-z0-9_]*|>=|<=|==|!=|[-+*/(),<>])/y;

function tokenize(text: string): string[] {
  const tokens: string[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < text.length) {
    if (text.slice(TOKEN.lastIndex).trim() === "") break;
    const start = TOKEN.lastIndex;
    const match = TOKEN.exec(text);
    if (!match?.[1]) throw new MetricMathError(`unexpected character at ${start} in ${JSON.stringify(text)}`);
    tokens.push(match[1]);
  }
  return tokens;
}

const LEVELS: string[][] = [["OR"], ["AND"], [">", ">=", "<", "<=", "==", "!="], ["+", "-"], ["*", "/"]];

/** Recursive descent over the token list; each level is a left-associative binary operator set. */
class Parser {
  private at = 0;
  constructor(private readonly tokens: string[]) {}

  parse(): Node {
    const node = this.level(0);
    if (this.at < this.tokens.length) throw new MetricMathError(`unexpected ${this.tokens[this.at]}`);
    return node;
  }

  private peek(): string | undefined {
    return this.tokens[this.at];
  }

  private expect(token: string): void {
    if (this.tokens[this.at] !== token)
      throw new MetricMathError(`expected ${token}, got ${this.peek() ?? "end"}`);
    this.at += 1;
  }

  private level(depth: number): Node {
    if (depth === LEVELS.length) return this.unary();
    let left = this.level(depth + 1);
    const operators = LEVELS[depth] ?? [];
    while (operators.includes(this.peek()?.toUpperCase() ?? "")) {
      const operator = (this.tokens[this.at] ?? "").toUpperCase();
      this.at += 1;
      left = { kind: "binary", operator, left, right: this.level(depth + 1) };
    }
    return left;
  }

  private unary(): Node {
    if (this.peek() === "-") {
      this.at += 1;
      return { kind: "negate", operand: this.unary() };
    }
    return this.primary();
  }

  private primary(): Node {
    const token = this.peek();
    if (token === undefined) throw new MetricMathError("the expression ends too early");
    this.at += 1;
    if (token === "(") {
      const inner = this.level(0);
      this.expect(")");
      return inner;
    }
    if (/^\d/.test(token)) return { kind: "number", value: Number(token) };
    if (!/^[A-Za-z_]/.test(token)) throw new MetricMathError(`unexpected ${token}`);
    if (this.peek() !== "(") return { kind: "id", name: token };
    this.at += 1;
    const args: Node[] = [];
    while (this.peek() !== ")") {
      args.push(this.level(0));
      if (this.peek() === ",") this.at += 1;
      else break;
    }
    this.expect(")");
    return { kind: "call", name: token.toUpperCase(), args };
  }
}

/** Parses once; throws MetricMathError with what is wrong (PutMetricAlarm answers it as a validation error). */
export function parseExpression(text: string): Node {
  const node = new Parser(tokenize(text)).parse();
  checkCalls(node);
  return node;
}

function checkCalls(node: Node): void {
  if (node.kind === "call") {
    const arity: Record<string, number[]> = { IF: [2, 3], FILL: [2] };
    const allowed = arity[node.name];
    if (!allowed) throw new MetricMathError(`function ${node.name} is not emulated (IF and FILL are)`);
    if (!allowed.includes(node.args.length))
      throw new MetricMathError(`${node.name} takes ${allowed.join(" or ")} arguments`);
  }
  if (node.kind === "negate") checkCalls(node.operand);
  if (node.kind === "binary") {
    checkCalls(node.left);
    checkCalls(node.right);
  }
  if (node.kind === "call") for (const arg of node.args) checkCalls(arg);
}

/** The metric ids an expression reads. */
export function referencedIds(node: Node): string[] {
  if (node.kind === "id") return [node.name];
  if (node.kind === "negate") return referencedIds(node.operand);
  if (node.kind === "binary") return [...referencedIds(node.left), ...referencedIds(node.right)];
  if (node.kind === "call") return node.args.flatMap(referencedIds);
  return [];
}

function binary(operator: string, a: number, b: number): Value {
  switch (operator) {
    case "+":
      return a + b;
    case "-":
      return a - b;
    case "*":
      return a * b;
    case "/":
      return b === 0 ? undefined : a / b;
    case ">":
      return a > b ? 1 : 0;
    case ">=":
      return a >= b ? 1 : 0;
    case "<":
      return a < b ? 1 : 0;
    case "<=":
      return a <= b ? 1 : 0;
    case "==":
      return a === b ? 1 : 0;
    case "!=":
      return a !== b ? 1 : 0;
    case "AND":
      return a !== 0 && b !== 0 ? 1 : 0;
    default:
      return a !== 0 || b !== 0 ? 1 : 0;
  }
}

/** Evaluates one datapoint; `values` maps metric ids to that period's value (undefined: no datapoint). */
export function evaluate(node: Node, values: Record<string, Value>): Value {
  switch (node.kind) {
    case "number":
      return node.value;
    case "id":
      return values[node.name];
    case "negate": {
      const operand = evaluate(node.operand, values);
      return operand === undefined ? undefined : -operand;
    }
    case "binary": {
      const left = evaluate(node.left, values);
      const right = evaluate(node.right, values);
      return left === undefined || right === undefined ? undefined : binary(node.operator, left, right);
    }
    case "call":
      return call(node, values);
  }
}

function call(node: Extract<Node, { kind: "call" }>, values: Record<string, Value>): Value {
  const [first, second, third] = node.args as [Node, Node, Node | undefined];
  if (node.name === "FILL") return evaluate(first, values) ?? evaluate(second, values);
  const condition = evaluate(first, values);
  if (condition === undefined) return undefined;
  if (condition !== 0) return evaluate(second, values);
  return third ? evaluate(third, values) : undefined;
}
