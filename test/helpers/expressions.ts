/**
 * A small evaluator for the GitHub Actions expressions the workflows use (`${{ a.b || 'x' }}`), so a test
 * can compute what a step really receives for given inputs and variables. It covers literals, property
 * paths (names may contain `-`), `!`, `==`, `!=`, `&&`, `||` and parentheses, with GitHub's rules: `&&`/`||`
 * return an operand, `''`/`0`/`false`/`null` are falsy, strings compare case-insensitively, a missing
 * property is null and null interpolates as ''. Anything else (functions, indexes) is rejected loudly.
 */
export type Value = string | number | boolean | null;
export type Context = Record<string, Record<string, Value> | undefined>;

export class ExpressionError extends Error {}

type Token =
  | { kind: "literal"; value: Value }
  | { kind: "path"; parts: string[] }
  | { kind: "op"; op: string };

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let index = 0;
  while (index < source.length) {
    const rest = source.slice(index);
    const space = /^\s+/.exec(rest);
    const op = /^(==|!=|&&|\|\||!|\(|\))/.exec(rest);
    const string = /^'((?:[^']|'')*)'/.exec(rest);
    const number = /^-?\d+(?:\.\d+)?/.exec(rest);
    const path = /^[A-Za-z_][A-Za-z0-9_-]*(?:\.[A-Za-z_][A-Za-z0-9_-]*)*/.exec(rest);
    if (space) {
      index += space[0].length;
    } else if (op) {
      tokens.push({ kind: "op", op: op[0] });
      index += op[0].length;
    } else if (string) {
      tokens.push({ kind: "literal", value: (string[1] ?? "").replace(/''/g, "'") });
      index += string[0].length;
    } else if (number) {
      tokens.push({ kind: "literal", value: Number(number[0]) });
      index += number[0].length;
    } else if (path) {
      const word = path[0];
      const keyword: Record<string, Value> = { true: true, false: false, null: null };
      tokens.push(
        word in keyword
          ? { kind: "literal", value: keyword[word] ?? null }
          : { kind: "path", parts: word.split(".") },
      );
      index += word.length;
    } else {
      throw new ExpressionError(`cannot read \`${rest}\` in \`${source}\``);
    }
  }
  return tokens;
}

export function truthy(value: Value): boolean {
  return value !== null && value !== false && value !== 0 && value !== "";
}

function equal(a: Value, b: Value): boolean {
  if (typeof a === "string" && typeof b === "string") return a.toLowerCase() === b.toLowerCase();
  return a === b;
}

/** Evaluates one expression (the text between `${{` and `}}`). */
export function evaluate(source: string, context: Context): Value {
  const tokens = tokenize(source);
  let position = 0;
  const peek = () => tokens[position];
  const takeOp = (op: string) => {
    const token = peek();
    if (token?.kind === "op" && token.op === op) {
      position += 1;
      return true;
    }
    return false;
  };

  const primary = (): Value => {
    const token = tokens[position++];
    if (!token) throw new ExpressionError(`\`${source}\` ends too early`);
    if (token.kind === "literal") return token.value;
    if (token.kind === "path") {
      const [root = "", ...rest] = token.parts;
      let value: unknown = context[root];
      for (const part of rest) value = (value as Record<string, unknown> | undefined)?.[part];
      return value === undefined ? null : (value as Value);
    }
    if (token.op === "!") return !truthy(primary());
    if (token.op === "(") {
      const value = or();
      if (!takeOp(")")) throw new ExpressionError(`missing \`)\` in \`${source}\``);
      return value;
    }
    throw new ExpressionError(`unexpected \`${token.op}\` in \`${source}\``);
  };
  const comparison = (): Value => {
    let left = primary();
    for (;;) {
      if (takeOp("==")) left = equal(left, primary());
      else if (takeOp("!=")) left = !equal(left, primary());
      else return left;
    }
  };
  const and = (): Value => {
    let left = comparison();
    while (takeOp("&&")) {
      const right = comparison();
      left = truthy(left) ? right : left;
    }
    return left;
  };
  function or(): Value {
    let left = and();
    while (takeOp("||")) {
      const right = and();
      left = truthy(left) ? left : right;
    }
    return left;
  }

  const value = or();
  if (position !== tokens.length)
    throw new ExpressionError(`unexpected text after position ${position} in \`${source}\``);
  return value;
}

/** Replaces every `${{ }}` in a workflow value with its result, as the runner does before a step starts. */
export function interpolate(text: string, context: Context): string {
  return text.replace(/\$\{\{(.*?)\}\}/g, (_, source: string) => {
    const value = evaluate(source, context);
    return value === null ? "" : String(value);
  });
}
