/**
 * JMESPath expressions compiled once and applied to many documents, with errors that show the
 * expression and the column where it went wrong, evaluated within a budget of time and of values
 * built. Expressions come from users, from URLs (any web page can make a browser send one) and from
 * repositories (config.json, module scripts): a 40-character expression built a 400-million
 * character string and a code-point array of it, and the process died out of memory.
 *
 * The evaluator is the library's tree interpreter with every node visit counted and checked:
 * time (the budget's deadline, looked at every 64 visits), and size: every value the expression
 * builds (an array, an object, a string) is charged, and no value may exceed the budget even when
 * it repeats itself (`let $a = [@, @] in let $b = [$a, $a] …` builds a few small arrays that are
 * huge when serialised), because each value's size counts what it contains. Functions that make a
 * value much larger than their arguments (`pad_left`, `join`, `replace`, `split`, `to_string`,
 * flattening) are checked before they run; `sort` of strings and `trim_right` with characters,
 * whose time grows faster than their input, are checked or replaced by linear versions.
 * @module
 */
import { compile, tokenize, TreeInterpreter, type JSONValue } from '@jmespath-community/jmespath';
import { SitError } from './errors.ts';

/** A JMESPath expression that did not compile, or failed on a document. */
export class JmesPathError extends SitError {}

/** An expression stopped by its budget (time, or the size of the values it builds). */
export class JmesPathLimitError extends JmesPathError {}

/** The limits of an {@linkcode EvaluationBudget}. */
export interface EvaluationLimits {
  /** Wall time (ms) the evaluations sharing the budget may take in all (default 1000). */
  timeMs?: number;
  /**
   * How many values they may build: array elements, object members, and one per 8 characters of
   * a string (default 2 000 000: some tens of MiB).
   */
  maxValues?: number;
}

/** The default limits of an evaluation. */
export const DEFAULT_EVALUATION_LIMITS: Readonly<Required<EvaluationLimits>> = Object.freeze({
  timeMs: 1000,
  maxValues: 2_000_000,
});

/**
 * Time and values shared by the evaluations of one request or command (e.g. one expression over
 * every item of a web request). An expression given none gets a fresh one per document.
 */
export class EvaluationBudget {
  /** The limits in force. */
  readonly limits: Readonly<Required<EvaluationLimits>>;
  /**
   * When the time runs out (`performance.now()` clock). Each evaluation moves it on by the time
   * since the last one ended: only the evaluations' own time counts, not the caller's work or
   * waits between them (a search deriving values as the states are reduced).
   */
  deadline: number;
  /** When the last evaluation with this budget ended (at first: when the budget was made). */
  idleSince: number;
  /** Values built so far. */
  values = 0;
  /** Node visits so far. */
  steps = 0;

  /** Starts a budget now. */
  constructor(limits?: EvaluationLimits) {
    this.limits = limits === undefined ? DEFAULT_EVALUATION_LIMITS : { ...DEFAULT_EVALUATION_LIMITS, ...limits };
    this.idleSince = performance.now();
    this.deadline = this.idleSince + this.limits.timeMs;
  }
}

/** A compiled JMESPath expression. */
export interface Expression {
  /** The expression's text as given. */
  readonly text: string;
  /**
   * Evaluates the expression against one document, within `budget` (default: a fresh one);
   * throws {@linkcode JmesPathLimitError} when the budget runs out.
   */
  search(document: unknown, budget?: EvaluationBudget): unknown;
}

/** Options for {@linkcode compileExpression}. */
export interface CompileOptions {
  /** What the expression is for, used in the error message ("filter", "query"). */
  role?: string;
}

/** The expression as error messages quote it: at most 200 characters. */
function quoted(text: string): string {
  return JSON.stringify(text.length <= 200 ? text : `${text.slice(0, 200)}…`);
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
      `can't compile ${role} expression ${quoted(text)}: ${reason}${where} (see https://jmespath.org/specification.html)`,
    );
  }
  // One interpreter per expression, its budget set for each search (making one costs more than
  // most searches do); searching is synchronous, so searches never overlap.
  let interpreter: Bounded | undefined;
  return {
    text,
    search(document: unknown, budget: EvaluationBudget = new EvaluationBudget()): unknown {
      interpreter ??= boundedInterpreter();
      interpreter.budget = budget;
      const started = performance.now();
      budget.deadline += started - budget.idleSince;
      try {
        return interpreter.search(ast, document as JSONValue);
      } catch (error) {
        if (error instanceof LimitHit) {
          throw new JmesPathLimitError(
            `${role} expression ${quoted(text)} stopped: ${error.message} (the limit of an expression)`,
          );
        }
        const reason =
          error instanceof RangeError ? 'it nests too deep' : error instanceof Error ? error.message : String(error);
        throw new JmesPathError(`${role} expression ${quoted(text)} failed: ${reason}`);
      } finally {
        budget.idleSince = performance.now();
      }
    },
  };
}

// ---- the bounded interpreter ----

/** Thrown inside the interpreter when the budget runs out; turned into a JmesPathLimitError. */
class LimitHit extends Error {}

type Node = ReturnType<typeof compile>;
type Value = JSONValue;

/** What the library's interpreter offers to a subclass (fields that its typings call private). */
interface LibraryInterpreter {
  runtime: {
    _functionTable: Record<string, { _func: (args: unknown[]) => unknown; _signature: unknown[] }>;
    callFunction(name: string, args: unknown[]): unknown;
  };
  _rootValue: unknown;
  _scope: { withScope(scope: Record<string, unknown>): unknown };
  search(node: Node, value: Value): Value;
  visit(node: Node, value: unknown): unknown;
  withScope(scope: Record<string, unknown>): LibraryInterpreter;
}

const LibraryInterpreter = (TreeInterpreter as unknown as { constructor: new () => LibraryInterpreter }).constructor;

/**
 * The size of every array and object of at least `MEMO_SIZE` values met so far (see the module's
 * header); smaller ones are measured again when needed, which costs less than remembering them.
 */
const sizes = new WeakMap<object, number>();
const MEMO_SIZE = 64;

/** Values a string of `length` characters counts for. */
function stringValues(length: number): number {
  return 1 + (length >>> 3);
}

/** Deeper than this, a document is not measured (the walk recurses). */
const MAX_MEASURE_DEPTH = 1000;

/** The size of `value` in values, counting what it contains, each array and object measured once. */
function sizeOf(value: unknown, depth = 0): number {
  if (typeof value === 'string') return stringValues(value.length);
  if (value === null || typeof value !== 'object') return 1;
  const known = sizes.get(value);
  if (known !== undefined) return known;
  if (depth > MAX_MEASURE_DEPTH) throw new LimitHit(`the document nests more than ${MAX_MEASURE_DEPTH} levels deep`);
  let size = 1;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) size += sizeOf(value[i], depth + 1);
  } else {
    for (const key in value)
      if (Object.hasOwn(value, key)) size += 1 + sizeOf((value as Record<string, unknown>)[key], depth + 1);
  }
  if (size >= MEMO_SIZE) sizes.set(value, size);
  return size;
}

function textArg(args: unknown[], i: number): string {
  const value = args[i];
  return typeof value === 'string' ? value : '';
}

function countArg(args: unknown[], i: number): number {
  const value = args[i];
  return typeof value === 'number' && Number.isFinite(value) ? Math.max(0, value) : 0;
}

class Bounded extends LibraryInterpreter {
  budget!: EvaluationBudget;

  /** Counts one step; looks at the clock every 64 steps. */
  private step(): void {
    const budget = this.budget;
    if ((++budget.steps & 63) === 0 && performance.now() > budget.deadline) {
      throw new LimitHit(`it took longer than ${budget.limits.timeMs} ms`);
    }
  }

  /** Charges `values` newly built values; throws when the budget cannot take them. */
  private charge(values: number): void {
    const budget = this.budget;
    budget.values += values;
    if (budget.values > budget.limits.maxValues)
      throw new LimitHit(`it would build more than ${budget.limits.maxValues} values`);
  }

  /** Charges a value just built (an array, object or string) and checks its whole size. */
  private built(value: unknown): unknown {
    if (typeof value === 'string') {
      this.charge(stringValues(value.length));
    } else if (value !== null && typeof value === 'object') {
      this.charge(Array.isArray(value) ? value.length + 1 : Object.keys(value).length + 1);
      const size = sizeOf(value);
      if (size > this.budget.limits.maxValues)
        throw new LimitHit(`a value it builds would hold more than ${this.budget.limits.maxValues} values`);
    }
    return value;
  }

  /** Checks, before a function builds it, that a value of `values` values fits. */
  private fits(values: number): void {
    const budget = this.budget;
    if (budget.values + values > budget.limits.maxValues)
      throw new LimitHit(`it would build more than ${budget.limits.maxValues} values`);
  }

  override visit(node: Node, value: unknown): unknown {
    this.step();
    switch (node.type) {
      case 'Flatten': {
        const original = this.visit(node.child, value);
        if (!Array.isArray(original)) return null;
        let length = 0;
        for (const element of original) length += Array.isArray(element) ? element.length : 1;
        this.fits(length);
        return this.built(original.flat());
      }
      case 'Function':
        return this.callFunction(node.name, node.children, value);
      case 'Slice':
        if (typeof value === 'string') this.fits(2 * stringValues(value.length) + value.length);
        return this.built(super.visit(node, value));
      case 'Projection':
      case 'ValueProjection':
      case 'FilterProjection':
      case 'MultiSelectList':
      case 'MultiSelectHash':
        return this.built(super.visit(node, value));
      default:
        return super.visit(node, value);
    }
  }

  private callFunction(name: string, children: Node[], value: unknown): unknown {
    const args: unknown[] = [];
    for (const child of children) args.push(this.visit(child, value));
    this.beforeCall(name, args);
    const result = this.runtime.callFunction(name, args);
    // a result that is one of the arguments is not a new value
    if (result !== null && typeof result === 'object' && args.includes(result)) return result;
    return this.built(result);
  }

  /** The checks a function needs before it builds something much larger than its arguments. */
  private beforeCall(name: string, args: unknown[]): void {
    switch (name) {
      case 'pad_left':
      case 'pad_right':
        this.fits(stringValues(countArg(args, 1)));
        break;
      case 'join': {
        const list = Array.isArray(args[1]) ? args[1] : [];
        let length = textArg(args, 0).length * Math.max(0, list.length - 1);
        for (const item of list) length += typeof item === 'string' ? item.length : 0;
        this.fits(stringValues(length));
        break;
      }
      case 'replace': {
        // the optional count makes an array of that many elements; the result grows by at most
        // the new text for every character of the subject (an empty old text matches everywhere)
        this.fits(countArg(args, 3));
        const subject = textArg(args, 0).length;
        this.fits(
          stringValues(
            subject + (Math.floor(subject / Math.max(1, textArg(args, 1).length)) + 1) * textArg(args, 2).length,
          ),
        );
        break;
      }
      case 'split':
        this.fits(textArg(args, 0).length + 1 + stringValues(textArg(args, 0).length));
        break;
      case 'to_string':
        if (typeof args[0] !== 'string') this.fits(2 * sizeOf(args[0]));
        break;
      case 'length':
      case 'reverse':
        if (typeof args[0] === 'string') this.fits(2 * stringValues(args[0].length) + args[0].length);
        break;
      case 'sort': {
        // strings are compared code point by code point, each comparison copying both: n log n of them
        const list = Array.isArray(args[0]) ? args[0] : [];
        if (typeof list[0] === 'string') {
          let characters = 0;
          for (const item of list) characters += typeof item === 'string' ? item.length : 0;
          this.fits(Math.ceil((characters * Math.log2(list.length + 1)) / 4));
        }
        break;
      }
      case 'zip': {
        let shortest = Infinity;
        for (const list of args) shortest = Math.min(shortest, Array.isArray(list) ? list.length : 0);
        if (Number.isFinite(shortest)) this.fits(shortest * (args.length + 1));
        break;
      }
    }
  }

  override withScope(scope: Record<string, unknown>): LibraryInterpreter {
    const inner = new Bounded();
    inner.budget = this.budget;
    inner.runtime._functionTable = this.runtime._functionTable;
    inner._rootValue = this._rootValue;
    inner._scope = this._scope.withScope(scope) as LibraryInterpreter['_scope'];
    return inner;
  }
}

/** Whether `code` is one of the characters a `trim` with no characters given removes. */
function isTrimmed(code: number): boolean {
  return code === 0x85 || /\s/.test(String.fromCharCode(code));
}

/**
 * `trim_right` (and `trim`) in linear time, with the library's results: the library's regular
 * expression took 3.7 s on a 50 000-character string with characters given, and grows with the
 * square of the length. Both remove the longest suffix made of the characters.
 */
function trimRight(subject: string, chars: string | undefined): string {
  const set = chars === undefined || chars === '' ? undefined : new Set(chars.split('').map((c) => c.charCodeAt(0)));
  let end = subject.length;
  while (end > 0 && (set === undefined ? isTrimmed(subject.charCodeAt(end - 1)) : set.has(subject.charCodeAt(end - 1))))
    end--;
  return subject.slice(0, end);
}

/** A bounded interpreter, its `trim_right` and `trim` replaced by linear versions. */
function boundedInterpreter(): Bounded {
  const interpreter = new Bounded();
  const table = interpreter.runtime._functionTable;
  const trimLeft = table['trim_left']!._func;
  table['trim_right'] = {
    ...table['trim_right']!,
    _func: (args) => trimRight(args[0] as string, args[1] as string | undefined),
  };
  table['trim'] = {
    ...table['trim']!,
    _func: (args) =>
      trimLeft([trimRight(args[0] as string, args[1] as string | undefined), args[1]].slice(0, args.length)),
  };
  return interpreter;
}

// ---- where a syntax error is ----

/**
 * The 1-based column where `text` stops being a valid expression, in O(n log n): a lexer error is
 * found in one pass over the characters, a parser error by bisecting over the tokens (a prefix
 * that fails for a reason other than its end fails in every longer prefix too).
 */
function errorColumn(text: string): number | undefined {
  let tokens: Array<{ start: number }>;
  try {
    tokens = tokenize(text) as Array<{ start: number }>;
  } catch {
    return lexerErrorColumn(text);
  }
  const failsBeforeEnd = (i: number): boolean => {
    const next = tokens[i + 1];
    try {
      compile(text.slice(0, next === undefined ? text.length : next.start));
      return false;
    } catch (error) {
      const message = error instanceof Error ? error.message : '';
      return !/EOF|end of/i.test(message);
    }
  };
  let low = 0;
  let high = tokens.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (failsBeforeEnd(mid)) high = mid;
    else low = mid + 1;
  }
  return low < tokens.length ? tokens[low]!.start + 1 : text.length + 1;
}

const BASIC = new Set('()*,.:@]{}+%?\u2212\u00d7\u00f7[!<=>&|/$- \t\n\r');

function isIdentifierStart(c: string): boolean {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_';
}

function isIdentifierPart(c: string): boolean {
  return isIdentifierStart(c) || (c >= '0' && c <= '9');
}

function parsesAsJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** The end (exclusive) of a quoted token that starts at `start` with `quote`, skipping escapes. */
function quotedEnd(text: string, start: number, quote: string): number {
  let i = start + 1;
  while (i < text.length && text[i] !== quote)
    i += text[i] === '\\' && (text[i + 1] === '\\' || text[i + 1] === quote) ? 2 : 1;
  return i + 1;
}

/** The column of the token where the lexer fails, found as the library's lexer reads (one pass). */
function lexerErrorColumn(text: string): number {
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (isIdentifierStart(c)) {
      i++;
      while (i < text.length && isIdentifierPart(text[i]!)) i++;
    } else if (c >= '0' && c <= '9') {
      i++;
      while (i < text.length && text[i]! >= '0' && text[i]! <= '9') i++;
    } else if (c === '"') {
      const end = quotedEnd(text, i, '"');
      if (!parsesAsJson(text.slice(i, end))) return i + 1;
      i = end;
    } else if (c === "'") {
      i = quotedEnd(text, i, "'");
    } else if (c === '`') {
      const end = quotedEnd(text, i, '`');
      const literal = text
        .slice(i + 1, end - 1)
        .trimStart()
        .replace('\\`', '`');
      const looksLikeJson =
        literal !== '' &&
        ('[{"'.includes(literal[0]!) ||
          ['true', 'false', 'null'].includes(literal) ||
          ('-0123456789'.includes(literal[0]!) && parsesAsJson(literal)));
      if (end > text.length || !looksLikeJson || !parsesAsJson(literal)) return i + 1;
      i = end;
    } else if (BASIC.has(c)) {
      i++;
    } else {
      return i + 1;
    }
  }
  return text.length + 1;
}
