import type { AttributeValue } from "./dynalite-engine.js";

/**
 * The subset of PartiQL DynamoDB serves (SELECT, INSERT, UPDATE, DELETE and, in transactions,
 * EXISTS(SELECT …)), read into a small tree; partiql.ts runs it on the item operations. Statements
 * DynamoDB's parser refuses are refused in its words: "Statement wasn't well formed, can't be
 * processed: <detail>" with the details AWS gives ("Unexpected token after expression", "Unexpected
 * term", "Missing right-hand side expression of infix operator", "Unexpected keyword", …), and the
 * sentences of DynamoDB's PartiQL front end for what parses but is not served.
 */

export type PathPart = { name: string } | { index: number };

export type Expr =
  | { kind: "value"; value: AttributeValue }
  /** A number literal as written: checked against DynamoDB's range where its place is known. */
  | { kind: "number"; text: string }
  | { kind: "missing" }
  | { kind: "param"; index: number }
  | { kind: "path"; parts: PathPart[] }
  | { kind: "tuple"; entries: { key: string; value: Expr }[] }
  | { kind: "list"; items: Expr[] }
  | { kind: "bag"; items: Expr[] }
  | { kind: "binary"; op: BinaryOp; left: Expr; right: Expr }
  | { kind: "not"; operand: Expr }
  | { kind: "between"; value: Expr; low: Expr; high: Expr; negated: boolean }
  | { kind: "in"; value: Expr; options: Expr[]; negated: boolean }
  | { kind: "is"; value: Expr; type: string; negated: boolean }
  | { kind: "call"; name: string; args: Expr[] };

export type BinaryOp = "AND" | "OR" | "=" | "<>" | "<" | "<=" | ">" | ">=" | "+" | "-";

export type UpdateAction =
  { kind: "set"; path: PathPart[]; value: Expr } | { kind: "remove"; path: PathPart[] };

export type ReturnValues = "ALL_OLD" | "UPDATED_OLD" | "ALL_NEW" | "UPDATED_NEW";

export interface SelectStatement {
  kind: "select";
  /** Undefined for `*`. */
  projection: PathPart[][] | undefined;
  table: string;
  index: string | undefined;
  where: Expr | undefined;
  orderBy: { attribute: string; descending: boolean }[];
}

export type Statement =
  | SelectStatement
  | { kind: "insert"; table: string; item: Expr }
  | {
      kind: "update";
      table: string;
      actions: UpdateAction[];
      where: Expr;
      returning: ReturnValues | undefined;
    }
  | { kind: "delete"; table: string; where: Expr; returning: ReturnValues | undefined }
  | { kind: "exists"; select: SelectStatement };

export interface ParsedStatement {
  statement: Statement;
  /** How many `?` the statement holds (the Parameters it needs). */
  parameters: number;
}

/** A refusal of the statement; partiql.ts turns it into a ValidationException. */
export class PartiqlError extends Error {}

const NOT_WELL_FORMED = "Statement wasn't well formed, can't be processed: ";
const malformed = (detail: string) => new PartiqlError(NOT_WELL_FORMED + detail);

/**
 * PartiQL's reserved words (SQL-92's plus PartiQL's own): unquoted, they are keywords, never
 * attribute names (`WHERE pad = 1` is a syntax error, `WHERE "pad" = 1` is not).
 */
const KEYWORDS = new Set(
  (
    "absolute action add all allocate alter and any are as asc assertion at authorization avg bag begin " +
    "between bit bit_length blob bool boolean both by cascade cascaded case cast catalog char " +
    "char_length character character_length check clob close coalesce collate collation column " +
    "commit connect connection constraint constraints continue convert corresponding count create " +
    "cross current current_date current_time current_timestamp current_user cursor date deallocate " +
    "dec decimal declare default deferrable deferred delete desc describe descriptor diagnostics " +
    "disconnect distinct domain double drop else end end-exec escape except exception exec execute " +
    "exists external extract false fetch first float for foreign found from full get global go goto " +
    "grant group having identity immediate in indicator initially inner input insensitive insert " +
    "int integer intersect interval into is isolation join key language last leading left let level " +
    "like limit list local lower match max min minute missing module month names national natural " +
    "nchar next no not null nullif numeric octet_length of offset on only open option or order outer " +
    "output overlaps pad partial pivot position precision prepare preserve primary prior privileges " +
    "procedure public read real references relative remove restrict returning revoke right rollback " +
    "rows schema scroll second section select session session_user set sexp size smallint some space " +
    "sql sqlcode sqlerror sqlstate string struct substring sum symbol system_user table temporary " +
    "then time timestamp to trailing transaction translate translation trim true tuple union unique " +
    "unknown unpivot update upper upsert usage user using value values view when whenever where with " +
    "work write year zone"
  ).split(" "),
);

/** Keywords that are operators: where a term should start, AWS says "Unexpected operator". */
const OPERATOR_KEYWORDS = new Set(["and", "or", "is", "like", "in", "between", "not"]);

/** Functions DynamoDB's PartiQL knows (reserved words among them are called, not named). */
const FUNCTIONS = new Set([
  "begins_with",
  "contains",
  "attribute_type",
  "size",
  "exists",
  "missing",
  "list_append",
  "set_add",
  "set_delete",
]);

type TokenType = "word" | "quoted" | "string" | "number" | "punct" | "param" | "end";

interface Token {
  type: TokenType;
  text: string;
  /** Lower-cased for words. */
  lower: string;
}

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const push = (type: TokenType, text: string) => tokens.push({ type, text, lower: text.toLowerCase() });
  while (i < source.length) {
    const c = source.charAt(i);
    if (/\s/.test(c)) {
      i++;
    } else if (source.startsWith("--", i)) {
      while (i < source.length && source.charAt(i) !== "\n") i++;
    } else if (source.startsWith("/*", i)) {
      const end = source.indexOf("*/", i + 2);
      // An unterminated comment: DynamoDB's lexer gives no detail.
      if (end < 0) throw malformed("");
      i = end + 2;
    } else if (/[A-Za-z_]/.test(c)) {
      const start = i;
      while (i < source.length && /[A-Za-z0-9_$]/.test(source.charAt(i))) i++;
      push("word", source.slice(start, i));
    } else if (c === '"' || c === "'") {
      let text = "";
      i++;
      for (;;) {
        if (i >= source.length) throw malformed("");
        const ch = source.charAt(i);
        if (ch === c) {
          if (source.charAt(i + 1) === c) {
            text += c;
            i += 2;
            continue;
          }
          i++;
          break;
        }
        text += ch;
        i++;
      }
      tokens.push({ type: c === '"' ? "quoted" : "string", text, lower: text });
    } else if (/[0-9]/.test(c) || (c === "." && /[0-9]/.test(source.charAt(i + 1)))) {
      const match = /^(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?/.exec(source.slice(i));
      const text = (match as RegExpExecArray)[0];
      push("number", text);
      i += text.length;
    } else if (c === "?") {
      push("param", "?");
      i++;
    } else {
      const two = source.slice(i, i + 2);
      if (["<=", ">=", "<>", "!=", "<<", ">>", "||"].includes(two)) {
        push("punct", two);
        i += 2;
      } else if ("()[]{},.:*+-=<>;".includes(c)) {
        push("punct", c);
        i++;
      } else {
        // `#`, `@`, `!` alone and the like: DynamoDB's lexer gives no detail.
        throw malformed("");
      }
    }
  }
  // A trailing semicolon ends the statement.
  if (tokens.length > 0 && tokens[tokens.length - 1]?.text === ";") tokens.pop();
  tokens.push({ type: "end", text: "", lower: "" });
  return tokens;
}

export function parseStatement(source: string): ParsedStatement {
  return new Parser(tokenize(source)).statement();
}

class Parser {
  private position = 0;
  private parameters = 0;

  constructor(private readonly tokens: Token[]) {}

  statement(): ParsedStatement {
    const token = this.peek();
    let statement: Statement;
    if (this.isWord("select")) statement = this.select();
    else if (this.isWord("insert")) statement = this.insert();
    else if (this.isWord("update")) statement = this.update();
    else if (this.isWord("delete")) statement = this.delete();
    else if (this.isWord("exists")) statement = this.exists();
    else if (token.type === "end") throw malformed("Unexpected term");
    else if (token.type === "word" && KEYWORDS.has(token.lower)) throw malformed("Unexpected keyword");
    else throw malformed("Unexpected term");
    this.expectEnd();
    return { statement, parameters: this.parameters };
  }

  // --- statements ---------------------------------------------------------------------------

  private select(): SelectStatement {
    this.next();
    let projection: PathPart[][] | undefined;
    if (this.isPunct("*")) {
      this.next();
      if (this.isPunct(","))
        throw new PartiqlError("Other attributes should not be present in the projection when '*' is used.");
    } else {
      projection = [];
      for (;;) {
        if (this.isPunct("*"))
          throw new PartiqlError(
            "Other attributes should not be present in the projection when '*' is used.",
          );
        const start = this.peek();
        const expression = this.expression();
        if (expression.kind !== "path")
          throw new PartiqlError(
            start.type === "word" && FUNCTIONS.has(start.lower)
              ? `Unsupported operation: function ${start.lower} in the projection`
              : "Unsupported operation: an expression in the projection",
          );
        projection.push(expression.parts);
        if (!this.isPunct(",")) break;
        this.next();
      }
      const names = new Set<string>();
      for (const path of projection) {
        const last = projectionName(path);
        if (names.has(last)) throw new PartiqlError(`Duplicate identifiers in select clause: ${last}`);
        names.add(last);
      }
    }
    this.expectWord("from", "Unexpected term");
    if (this.peek().type === "end") throw malformed("Unexpected term");
    const { table, index } = this.source(true);
    const where = this.optionalWhere();
    const orderBy: SelectStatement["orderBy"] = [];
    if (this.isWord("order")) {
      this.next();
      this.expectWord("by", "Unexpected term");
      for (;;) {
        const token = this.next();
        if (token.type !== "word" && token.type !== "quoted") throw malformed("Unexpected term");
        let descending = false;
        if (this.isWord("desc") || this.isWord("asc")) descending = this.next().lower === "desc";
        orderBy.push({ attribute: token.text, descending });
        if (!this.isPunct(",")) break;
        this.next();
      }
    }
    if (this.isWord("limit") || this.isWord("offset"))
      throw new PartiqlError(`Unsupported clause: ${this.peek().text.toUpperCase()}`);
    return { kind: "select", projection, table, index, where, orderBy };
  }

  private insert(): Statement {
    this.next();
    this.expectWord("into", "Unexpected term");
    const { table } = this.source(false);
    if (this.isWord("values"))
      throw new PartiqlError(
        'Unsupported operation: Inserting multiple items in a single statement is not supported, use "INSERT INTO tableName VALUE item" instead',
      );
    if (!this.isWord("value")) throw malformed("Unexpected token after expression");
    this.next();
    const item = this.expression();
    if (item.kind !== "tuple" && item.kind !== "param")
      throw new PartiqlError(
        "Unsupported format in item expression. Please use struct format {...} to express item values for insert statement.",
      );
    if (this.isWord("returning")) throw new PartiqlError("RETURNING is not supported in INSERT");
    return { kind: "insert", table, item };
  }

  private update(): Statement {
    this.next();
    const { table } = this.source(false);
    const actions: UpdateAction[] = [];
    while (this.isWord("set") || this.isWord("remove")) {
      const kind = this.next().lower;
      for (;;) {
        const path = this.path();
        if (kind === "set") {
          if (!this.isPunct("=")) throw malformed("Unexpected term");
          this.next();
          actions.push({ kind: "set", path, value: this.expression() });
        } else {
          actions.push({ kind: "remove", path });
        }
        if (!this.isPunct(",")) break;
        this.next();
      }
    }
    if (actions.length === 0) {
      if (this.isWord("add") || this.isWord("delete"))
        throw new PartiqlError("Only SET and REMOVE are supported in update expressions at this time");
      throw malformed("Unexpected term");
    }
    if (!this.isWord("where"))
      throw new PartiqlError("Where clause does not contain a mandatory equality on all key attributes");
    const where = this.optionalWhere() as Expr;
    return { kind: "update", table, actions, where, returning: this.returning() };
  }

  private delete(): Statement {
    this.next();
    this.expectWord("from", "Unexpected term");
    if (this.peek().type !== "word" && this.peek().type !== "quoted")
      throw malformed("Expected identifier for simple path");
    if (this.isWord("where")) throw malformed("Expected identifier for simple path");
    const { table } = this.source(false);
    if (!this.isWord("where"))
      throw new PartiqlError("Where clause does not contain a mandatory equality on all key attributes");
    const where = this.optionalWhere() as Expr;
    const returning = this.returning();
    if (returning && returning !== "ALL_OLD")
      throw new PartiqlError(
        `Invalid returning clause: RETURNING ${RETURNING_WORDS[returning]} *. Only RETURNING ALL OLD * is allowed in DELETE statements.`,
      );
    return { kind: "delete", table, where, returning };
  }

  private exists(): Statement {
    this.next();
    if (!this.isPunct("(")) throw new PartiqlError("Unsupported operation in transaction.");
    this.next();
    if (!this.isWord("select")) throw new PartiqlError("Unsupported operation in transaction.");
    const select = this.select();
    this.expectPunct(")");
    return { kind: "exists", select };
  }

  /** `table` or `"table"."index"`, refusing aliases. */
  private source(allowIndex: boolean): { table: string; index: string | undefined } {
    const token = this.next();
    if (token.type !== "word" && token.type !== "quoted")
      throw malformed("Expected identifier for simple path");
    if (token.type === "word" && KEYWORDS.has(token.lower)) throw malformed("Unexpected keyword");
    let index: string | undefined;
    if (this.isPunct(".")) {
      this.next();
      const second = this.next();
      if (second.type !== "word" && second.type !== "quoted")
        throw new PartiqlError(
          "Invalid path dot component in this operation, expecting either an IDENTIFIER or STAR.",
        );
      if (!allowIndex)
        throw new PartiqlError(
          "FROM clause may only contain a single table name in data manipulation statements",
        );
      index = second.text;
      if (this.isPunct("."))
        throw new PartiqlError("A path may contain at most 2 components in the FROM clause");
    }
    // An alias (`FROM t x`, `FROM t AS x`) is refused in words of its own.
    const after = this.peek();
    if (
      after.lower === "as" ||
      after.type === "quoted" ||
      (after.type === "word" && !KEYWORDS.has(after.lower))
    ) {
      if (allowIndex || this.tokens[this.position + 1]?.lower !== "value")
        throw new PartiqlError("Aliasing is not supported");
    }
    return { table: token.text, index };
  }

  private optionalWhere(): Expr | undefined {
    if (!this.isWord("where")) return undefined;
    this.next();
    return this.expression();
  }

  private returning(): ReturnValues | undefined {
    if (!this.isWord("returning")) return undefined;
    this.next();
    const which = this.next().lower;
    const age = this.next().lower;
    if (!["all", "modified"].includes(which) || !["old", "new"].includes(age))
      throw malformed("Unexpected term");
    if (!this.isPunct("*"))
      throw new PartiqlError("Expected '*' after ( MODIFIED | ALL ) ( NEW | OLD ) in RETURNING clause");
    this.next();
    if (this.isPunct(","))
      throw new PartiqlError("Invalid syntax with multiple returning elements in RETURNING clause");
    return `${which === "all" ? "ALL" : "UPDATED"}_${age.toUpperCase()}` as ReturnValues;
  }

  // --- expressions --------------------------------------------------------------------------

  expression(): Expr {
    return this.or();
  }

  private or(): Expr {
    let left = this.and();
    while (this.isWord("or")) {
      this.next();
      left = { kind: "binary", op: "OR", left, right: this.rightOperand(() => this.and()) };
    }
    return left;
  }

  private and(): Expr {
    let left = this.not();
    while (this.isWord("and")) {
      this.next();
      left = { kind: "binary", op: "AND", left, right: this.rightOperand(() => this.not()) };
    }
    return left;
  }

  private not(): Expr {
    if (this.isWord("not")) {
      this.next();
      return { kind: "not", operand: this.not() };
    }
    return this.predicate();
  }

  /** The operand after an infix operator: its absence has a message of its own. */
  private rightOperand(parse: () => Expr): Expr {
    if (this.peek().type === "end") throw malformed("Missing right-hand side expression of infix operator");
    return parse();
  }

  private predicate(): Expr {
    const value = this.additive();
    let negated = false;
    if (this.isWord("not") && ["between", "in"].includes(this.tokens[this.position + 1]?.lower ?? "")) {
      this.next();
      negated = true;
    }
    if (this.isWord("between")) {
      this.next();
      const low = this.rightOperand(() => this.additive());
      this.expectWord("and", "Unexpected term");
      const high = this.rightOperand(() => this.additive());
      return { kind: "between", value, low, high, negated };
    }
    if (this.isWord("in")) {
      this.next();
      const open = this.next();
      const close = open.text === "[" ? "]" : open.text === "(" ? ")" : undefined;
      if (!close)
        throw new PartiqlError(
          "IN operator must have a left hand argument of type Variable Reference and right hand argument of type Seq with at least one member",
        );
      const options: Expr[] = [];
      if (!this.isPunct(close)) {
        for (;;) {
          options.push(this.additive());
          if (!this.isPunct(",")) break;
          this.next();
        }
      }
      this.expectPunct(close);
      if (options.length === 0)
        throw new PartiqlError(
          "IN operator must have a left hand argument of type Variable Reference and right hand argument of type Seq with at least one member",
        );
      return { kind: "in", value, options, negated };
    }
    if (this.isWord("is")) {
      this.next();
      let isNegated = false;
      if (this.isWord("not")) {
        this.next();
        isNegated = true;
      }
      const type = this.next();
      if (type.type !== "word") throw malformed("Expected type name");
      const name = type.lower === "double" && this.isWord("precision") ? (this.next(), "double") : type.lower;
      if (!IS_TYPES.has(name)) throw malformed("Expected type name");
      return { kind: "is", value, type: name, negated: isNegated };
    }
    const comparison = this.peek();
    if (comparison.type === "punct" && ["=", "<>", "!=", "<", "<=", ">", ">="].includes(comparison.text)) {
      this.next();
      const right = this.rightOperand(() => this.additive());
      const op = (comparison.text === "!=" ? "<>" : comparison.text) as BinaryOp;
      return { kind: "binary", op, left: value, right };
    }
    return value;
  }

  private additive(): Expr {
    let left = this.primary();
    while (this.isPunct("+") || this.isPunct("-")) {
      const op = this.next().text as "+" | "-";
      left = { kind: "binary", op, left, right: this.rightOperand(() => this.primary()) };
    }
    return left;
  }

  private primary(): Expr {
    const token = this.peek();
    switch (token.type) {
      case "end":
        throw malformed("Unexpected term");
      case "string":
        this.next();
        return { kind: "value", value: { S: token.text } };
      case "number":
        this.next();
        checkNumberSyntax(token.text);
        return { kind: "number", text: token.text };
      case "param":
        this.next();
        return { kind: "param", index: this.parameters++ };
      case "quoted":
        return { kind: "path", parts: this.path() };
      case "punct":
        return this.punctuated(token);
      case "word":
        return this.word(token);
    }
  }

  private punctuated(token: Token): Expr {
    switch (token.text) {
      case "(": {
        this.next();
        if (this.peek().type === "end") throw malformed("Unexpected term");
        const inner = this.expression();
        this.expectPunct(")");
        return inner;
      }
      case "[": {
        this.next();
        const items = this.sequence("]");
        return { kind: "list", items };
      }
      case "<<": {
        this.next();
        const items = this.sequence(">>");
        return { kind: "bag", items };
      }
      case "{": {
        this.next();
        const entries: { key: string; value: Expr }[] = [];
        if (!this.isPunct("}")) {
          for (;;) {
            const key = this.next();
            if (key.type !== "string")
              throw new PartiqlError(
                `Tuple keys must be of type String. Actual type: ${key.type === "number" ? "DECIMAL" : "SYMBOL"} under root`,
              );
            this.expectPunct(":");
            entries.push({ key: key.text, value: this.expression() });
            if (!this.isPunct(",")) break;
            this.next();
          }
        }
        this.expectPunct("}");
        return { kind: "tuple", entries };
      }
      case "-": {
        this.next();
        const operand = this.primary();
        if (operand.kind === "number") return { kind: "number", text: `-${operand.text}` };
        return { kind: "binary", op: "-", left: { kind: "number", text: "0" }, right: operand };
      }
      default:
        if (["=", "<>", "!=", "<", "<=", ">", ">=", "+", "*"].includes(token.text))
          throw malformed("Unexpected operator");
        throw malformed("Unexpected term");
    }
  }

  private word(token: Token): Expr {
    const lower = token.lower;
    const calls = this.tokens[this.position + 1]?.text === "(";
    if (calls && (FUNCTIONS.has(lower) || !KEYWORDS.has(lower))) {
      this.next();
      this.next();
      const args = this.sequence(")");
      if (!FUNCTIONS.has(lower)) throw new PartiqlError(`Unrecognized function: ${lower}`);
      return { kind: "call", name: lower, args };
    }
    if (lower === "true" || lower === "false") {
      this.next();
      return { kind: "value", value: { BOOL: lower === "true" } };
    }
    if (lower === "null") {
      this.next();
      return { kind: "value", value: { NULL: true } };
    }
    if (lower === "missing") {
      this.next();
      return { kind: "missing" };
    }
    if (OPERATOR_KEYWORDS.has(lower)) throw malformed("Unexpected operator");
    if (KEYWORDS.has(lower)) throw malformed("Unexpected keyword");
    return { kind: "path", parts: this.path() };
  }

  private sequence(close: string): Expr[] {
    const items: Expr[] = [];
    if (!this.isPunct(close)) {
      for (;;) {
        items.push(this.expression());
        if (!this.isPunct(",")) break;
        this.next();
      }
    }
    this.expectPunct(close);
    return items;
  }

  /** An attribute path: `a`, `"a.b"` (one name), `a.b`, `a[0]`, `a['k']`. */
  private path(): PathPart[] {
    const first = this.next();
    if (first.type === "end") throw malformed("Unexpected term");
    if (first.type === "punct" && first.text === "[")
      throw new PartiqlError("A path cannot start with a list index");
    if (first.type !== "word" && first.type !== "quoted") throw malformed("Unexpected term");
    if (first.type === "word" && KEYWORDS.has(first.lower)) throw malformed("Unexpected keyword");
    const parts: PathPart[] = [{ name: first.text }];
    for (;;) {
      if (this.isPunct(".")) {
        this.next();
        const part = this.next();
        if (part.type === "punct" && part.text === "*")
          throw new PartiqlError("Unpivot path component like a.*.b are not supported");
        if (part.type !== "word" && part.type !== "quoted") throw malformed("Unexpected term");
        parts.push({ name: part.text });
      } else if (this.isPunct("[")) {
        this.next();
        const part = this.next();
        if (part.type === "punct" && part.text === "*")
          throw new PartiqlError("Wildcard path component like a[*].b are not supported");
        if (part.type === "number" && /^[0-9]+$/.test(part.text)) parts.push({ index: Number(part.text) });
        else if (part.type === "string") parts.push({ name: part.text });
        else throw new PartiqlError("Unexpected path component");
        this.expectPunct("]");
      } else {
        return parts;
      }
    }
  }

  // --- tokens -------------------------------------------------------------------------------

  private peek(): Token {
    return this.tokens[this.position] as Token;
  }

  private next(): Token {
    const token = this.peek();
    if (token.type !== "end") this.position++;
    return token;
  }

  private isWord(word: string): boolean {
    const token = this.peek();
    return token.type === "word" && token.lower === word;
  }

  private isPunct(text: string): boolean {
    const token = this.peek();
    return token.type === "punct" && token.text === text;
  }

  private expectWord(word: string, detail: string): void {
    if (!this.isWord(word)) throw malformed(this.peek().type === "end" ? "Unexpected term" : detail);
    this.next();
  }

  private expectPunct(text: string): void {
    if (this.isPunct(text)) {
      this.next();
      return;
    }
    throw malformed(this.peek().type === "end" ? "Unexpected term" : "Unexpected token after expression");
  }

  private expectEnd(): void {
    if (this.peek().type !== "end") throw malformed("Unexpected token after expression");
  }
}

const RETURNING_WORDS: Record<ReturnValues, string> = {
  ALL_OLD: "ALL OLD",
  UPDATED_OLD: "MODIFIED OLD",
  ALL_NEW: "ALL NEW",
  UPDATED_NEW: "MODIFIED NEW",
};

/** The type names `IS` takes (PartiQL's), DynamoDB's attribute types among them. */
const IS_TYPES = new Set([
  "missing",
  "null",
  "boolean",
  "bool",
  "string",
  "numeric",
  "number",
  "int",
  "int4",
  "int8",
  "integer",
  "decimal",
  "double",
  "float",
  "real",
  "blob",
  "binary",
  "list",
  "tuple",
  "struct",
  "bag",
  "character",
  "varchar",
]);

/** The name an item returned for a projected path carries: its last named part. */
export function projectionName(path: PathPart[]): string {
  for (let i = path.length - 1; i >= 0; i--) {
    const part = path[i] as PathPart;
    if ("name" in part) {
      const after = path.slice(i + 1).map((p) => ("index" in p ? `[${String(p.index)}]` : ""));
      return part.name + after.join("");
    }
  }
  return "";
}

/**
 * A literal whose exponent or scale does not fit a 32-bit integer cannot be read at all (AWS gives
 * no detail after the colon).
 */
function checkNumberSyntax(text: string): void {
  const match = /^[0-9]*(?:\.([0-9]*))?(?:[eE]([+-]?[0-9]+))?$/.exec(text);
  const fraction = match?.[1] ?? "";
  const exponent = Number(match?.[2] ?? "0");
  const scale = fraction.length - exponent;
  if (!match || Math.abs(exponent) > 2_147_483_647 || Math.abs(scale) > 2_147_483_647) throw malformed("");
}

/**
 * A number literal as DynamoDB stores it, refused past DynamoDB's range (magnitudes 1E-130 to
 * 9.99…E+125, 38 significant digits) in its words; `under root` names where in the value.
 */
export function numberLiteral(text: string, where = "root"): string {
  const match = /^(-?)([0-9]*)(?:\.([0-9]*))?(?:[eE]([+-]?[0-9]+))?$/.exec(text);
  if (!match) throw malformed("");
  const [, sign, whole = "", fraction = "", exponentText = "0"] = match;
  const exponent = Number(exponentText);
  const digits = (whole + fraction).replace(/^0+/, "");
  if (digits === "") return "0";
  const significant = digits.replace(/0+$/, "");
  if (significant.length > 38)
    throw new PartiqlError(`Attempting to store more than 38 significant digits in a Number under ${where}`);
  // The decimal exponent of the first significant digit.
  const leadingZeros = (whole + fraction).length - (whole + fraction).replace(/^0+/, "").length;
  const magnitude = whole.length - leadingZeros - 1 + exponent;
  if (magnitude > 125)
    throw new PartiqlError(
      `Number overflow. Attempting to store a number with magnitude larger than supported range under ${where}`,
    );
  if (magnitude < -130)
    throw new PartiqlError(
      `Number underflow. Attempting to store a number with magnitude smaller than supported range under ${where}`,
    );
  // Plain decimal notation, trailing zeros of the fraction dropped (`1.50` is stored as `1.5`).
  const point = magnitude + 1;
  let body: string;
  if (point <= 0) body = `0.${"0".repeat(-point)}${significant}`;
  else if (point >= significant.length) body = significant + "0".repeat(point - significant.length);
  else body = `${significant.slice(0, point)}.${significant.slice(point)}`;
  return `${sign}${body}`;
}
