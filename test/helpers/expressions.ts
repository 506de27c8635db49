import {
  data,
  Evaluator,
  ExpressionError as GitHubExpressionError,
  Lexer,
  Parser,
} from "@actions/expressions";

/**
 * GitHub Actions expressions (`${{ a.b || 'x' }}`) evaluated by GitHub's own `@actions/expressions`, so a test
 * can compute what a step really receives for given inputs and variables. The helpers only turn the test's
 * plain context into the library's data, and the result back into a plain value.
 */
export type Value = string | number | boolean | null;
export type Context = Record<string, Record<string, Value> | undefined>;

/** A syntax error, a context the test did not give, or an evaluation error, with the expression named. */
export class ExpressionError extends Error {}

function toValue(result: data.ExpressionData): Value {
  if (!result.primitive) throw new ExpressionError(`the result is a ${data.Kind[result.kind]}, not a scalar`);
  return JSON.parse(JSON.stringify(result, data.replacer)) as Value;
}

function evaluateData(source: string, context: Context): data.ExpressionData {
  try {
    const { tokens } = new Lexer(source).lex();
    const expression = new Parser(tokens, Object.keys(context), []).parse();
    const given = JSON.parse(JSON.stringify(context), data.reviver) as data.Dictionary;
    return new Evaluator(expression, given).evaluate();
  } catch (error) {
    const reason = error instanceof GitHubExpressionError ? error.message : String(error);
    throw new ExpressionError(`\`${source}\`: ${reason}`);
  }
}

/** Evaluates one expression (the text between `${{` and `}}`) with GitHub's parser and evaluator. */
export function evaluate(source: string, context: Context): Value {
  return toValue(evaluateData(source, context));
}

/** Replaces every `${{ }}` in a workflow value with its result, as the runner does before a step starts. */
export function interpolate(text: string, context: Context): string {
  return text.replace(/\$\{\{(.*?)\}\}/g, (_, source: string) =>
    evaluateData(source, context).coerceString(),
  );
}
