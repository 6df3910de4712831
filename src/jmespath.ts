/**
 * JMESPath expressions compiled once and applied to many documents, with errors that show the
 * expression and the column where it went wrong.
 * @module
 */
import { compile, tokenize, TreeInterpreter, type JSONValue } from '@jmespath-community/jmespath';
import { SitError } from './errors.ts';

/** A JMESPath expression that did not compile, or failed on a document. */
export class JmesPathError extends SitError {}

/** A compiled JMESPath expression. */
export interface Expression {
  /** The expression's text as given. */
  readonly text: string;
  /** Evaluates the expression against one document. */
  search(document: unknown): unknown;
}

/** Options for {@linkcode compileExpression}. */
export interface CompileOptions {
  /** What the expression is for, used in the error message ("filter", "query"). */
  role?: string;
}

/** Compiles `text`; a syntax error becomes a {@linkcode JmesPathError} naming the column. */
export function compileExpression(text: string, options: CompileOptions = {}): Expression {
  const role = options.role ?? 'expression';
  let ast: ReturnType<typeof compile>;
  try {
    ast = compile(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const column = errorColumn(text);
    const where = column === undefined ? '' : ` at column ${column}`;
    throw new JmesPathError(
      `can't compile ${role} expression ${JSON.stringify(text)}: ${reason}${where} (see https://jmespath.org/specification.html)`,
    );
  }
  return {
    text,
    search(document: unknown): unknown {
      try {
        return TreeInterpreter.search(ast, document as JSONValue);
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        throw new JmesPathError(`${role} expression ${JSON.stringify(text)} failed: ${reason}`);
      }
    },
  };
}

function tokenizes(text: string): boolean {
  try {
    tokenize(text);
    return true;
  } catch {
    return false;
  }
}

/** Finds the 1-based column of the first token at which `text` stops being a valid prefix. */
function errorColumn(text: string): number | undefined {
  let tokens: Array<{ start: number; value: unknown }>;
  try {
    tokens = tokenize(text) as Array<{ start: number; value: unknown }>;
  } catch {
    // A lexer error: the column after the longest prefix that still tokenizes.
    let length = text.length - 1;
    while (length > 0 && !tokenizes(text.slice(0, length))) length--;
    return length + 1;
  }
  for (let i = 0; i < tokens.length; i++) {
    const next = tokens[i + 1];
    const end = next === undefined ? text.length : next.start;
    try {
      compile(text.slice(0, end));
    } catch (error) {
      const message = error instanceof Error ? error.message : '';
      if (!/EOF|end of/i.test(message)) return tokens[i]!.start + 1;
    }
  }
  return text.length + 1;
}
