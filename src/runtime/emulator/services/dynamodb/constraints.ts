/**
 * DynamoDB's model constraints (not null, lengths, ranges, patterns, enums) checked and worded as
 * DynamoDB words them: "N validation error(s) detected: Value '<value>' at '<field>' failed to
 * satisfy constraint: …", the field path in camelCase with `.member` for list and map entries, and
 * the value printed the way DynamoDB's Java front end prints it (`[KeySchemaElement(attributeName=pk,
 * keyType=HASH)]`, `{table=[…]}`, `'[]'`). The rules are dynalite's own per-operation tables (its
 * `types`); dynalite's renderer printed collections as JSON and the table name's length as a
 * sentence of its own, which AWS no longer does.
 */

/** A dynalite rule: the member's type and its constraints (see dynalite/validations/*.js). */
export interface Rule {
  type?: string;
  children?: string | Rule | Record<string, Rule | string>;
  notNull?: boolean;
  required?: boolean;
  tableName?: boolean;
  regex?: string;
  enum?: string[];
  greaterThanOrEqual?: number;
  lessThanOrEqual?: number;
  lengthGreaterThanOrEqual?: number;
  lengthLessThanOrEqual?: number;
  keys?: Record<string, unknown>;
  values?: Record<string, unknown>;
}
export type Rules = Record<string, Rule | string>;

/** AWS stops listing after this many violations. */
const MAX_REPORTED = 10;

/** The order DynamoDB's front end prints AttributeValue members in (its Java toString). */
const ATTRIBUTE_VALUE_MEMBERS = [
  ["s", "S"],
  ["n", "N"],
  ["b", "B"],
  ["iNT", ""],
  ["dECIMAL", ""],
  ["dOUBLE", ""],
  ["sS", "SS"],
  ["nS", "NS"],
  ["bS", "BS"],
  ["iNTSET", ""],
  ["dECIMALSET", ""],
  ["dOUBLESET", ""],
  ["m", "M"],
  ["l", "L"],
  ["nULL", "NULL"],
  ["bOOL", "BOOL"],
] as const;

/** Structures whose members DynamoDB prints in another order than dynalite's rules list them. */
const MEMBER_ORDER: Record<string, string[]> = {
  WriteRequest: ["PutRequest", "DeleteRequest"],
};

export class ConstraintError extends Error {}

/**
 * Throws a ConstraintError with DynamoDB's message for the first failing required member, or for
 * every violated constraint (at most 10) in the order of the operation's rules.
 */
export function checkConstraints(data: Record<string, unknown>, rules: Rules): void {
  for (const [member, raw] of Object.entries(rules)) {
    const rule = asRule(raw);
    if (rule.required && data[member] == null)
      throw new ConstraintError(`The parameter '${member}' is required but was not present in the request`);
  }
  const errors: string[] = [];
  for (const [member, raw] of Object.entries(rules)) {
    const rule = asRule(raw);
    // dynalite answers a table name of the wrong length with a sentence of its own
    // ("TableName must be at least 3 characters long…"); AWS now reports the constraint.
    const effective = rule.tableName
      ? { ...rule, lengthGreaterThanOrEqual: 3, lengthLessThanOrEqual: 255 }
      : rule;
    visit(member, data[member], effective, "", errors);
  }
  if (errors.length > 0) throw new ConstraintError(renderViolations(errors));
}

/** "1 validation error detected: …" / "N validation errors detected: a; b". */
export function renderViolations(errors: string[]): string {
  return `${errors.length} validation error${errors.length > 1 ? "s" : ""} detected: ${errors.join("; ")}`;
}

/** One violation, e.g. `Value '0' at 'limit' failed to satisfy constraint: Member must …`. */
export function violation(path: string, value: unknown, rule: Rule | undefined, constraint: string): string {
  return `Value ${renderValue(value, rule)} at '${path}' failed to satisfy constraint: ${constraint}`;
}

function visit(member: string, value: unknown, rule: Rule, parent: string, errors: string[]): void {
  const path = `${parent ? `${parent}.` : ""}${lowerFirst(member)}`;
  const fail = (constraint: string) => {
    if (errors.length < MAX_REPORTED) errors.push(violation(path, value, rule, constraint));
  };
  if (value == null) {
    if (rule.notNull) fail("Member must not be null");
    return;
  }
  // In the order the rule lists its constraints, as dynalite (and the tests it was built from) do.
  for (const [constraint, bound] of Object.entries(rule)) {
    switch (constraint) {
      case "greaterThanOrEqual":
        if (!((value as number) >= (bound as number)))
          fail(`Member must have value greater than or equal to ${String(bound)}`);
        break;
      case "lessThanOrEqual":
        if (!((value as number) <= (bound as number)))
          fail(`Member must have value less than or equal to ${String(bound)}`);
        break;
      case "regex":
        if (!new RegExp(`^${String(bound)}$`).test(String(value)))
          fail(`Member must satisfy regular expression pattern: ${String(bound)}`);
        break;
      case "lengthGreaterThanOrEqual":
        if (lengthOf(value) < (bound as number))
          fail(`Member must have length greater than or equal to ${String(bound)}`);
        break;
      case "lengthLessThanOrEqual":
        if (lengthOf(value) > (bound as number))
          fail(`Member must have length less than or equal to ${String(bound)}`);
        break;
      case "enum":
        if (!(bound as string[]).includes(value as string))
          fail(`Member must satisfy enum value set: [${(bound as string[]).join(", ")}]`);
        break;
      case "keys":
        for (const key of Object.keys(value as object)) {
          const problems = entryProblems(key, bound as Record<string, unknown>);
          if (problems) fail(`Map keys must satisfy constraint: [${problems}]`);
        }
        break;
      case "values":
        for (const entry of Object.values(value as object)) {
          const problems = entryProblems(entry, bound as Record<string, unknown>);
          if (problems) fail(`Map value must satisfy constraint: [${problems}]`);
        }
        break;
    }
  }
  const children = rule.children;
  if (children === undefined || typeof children === "string") return;
  const type = rule.type ?? "";
  if (/List$/.test(type) && Array.isArray(value)) {
    const child = asRule(children as Rule | string);
    value.forEach((element, index) => visit("member", element, child, `${path}.${index + 1}`, errors));
  } else if (/Map/.test(type) && typeof value === "object") {
    const child = asRule(children as Rule | string);
    for (const [key, element] of Object.entries(value as Record<string, unknown>))
      visit("member", element, child, `${path}.${key}`, errors);
  } else if (typeof value === "object" && !Array.isArray(value)) {
    for (const [name, childRule] of Object.entries(children as Record<string, Rule | string>))
      visit(name, (value as Record<string, unknown>)[name], asRule(childRule), path, errors);
  }
}

/** The constraints a map key or value breaks, as DynamoDB lists them (`Member must …, …`). */
function entryProblems(entry: unknown, constraints: Record<string, unknown>): string | undefined {
  const length = lengthOf(entry);
  let broken = false;
  const min = constraints["lengthGreaterThanOrEqual"] as number | undefined;
  const max = constraints["lengthLessThanOrEqual"] as number | undefined;
  const regex = constraints["regex"] as string | undefined;
  if (min !== undefined && length < min) broken = true;
  if (max !== undefined && length > max) broken = true;
  if (regex !== undefined && !new RegExp(`^${regex}$`).test(String(entry))) broken = true;
  if (!broken) return undefined;
  // AWS lists the upper bound before the lower one.
  const parts: string[] = [];
  if (max !== undefined) parts.push(`Member must have length less than or equal to ${max}`);
  if (min !== undefined) parts.push(`Member must have length greater than or equal to ${min}`);
  if (regex !== undefined) parts.push(`Member must satisfy regular expression pattern: ${regex}`);
  return parts.join(", ");
}

function lengthOf(value: unknown): number {
  if (typeof value === "string" || Array.isArray(value)) return value.length;
  if (value && typeof value === "object") return Object.keys(value).length;
  return 0;
}

function asRule(raw: Rule | string): Rule {
  return typeof raw === "string" ? { type: raw } : raw;
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}

/** `null`, or the value quoted as DynamoDB prints it. */
export function renderValue(value: unknown, rule?: Rule): string {
  return value == null ? "null" : `'${javaString(value, rule)}'`;
}

/** The value as Java's toString would print the parsed request member. */
export function javaString(value: unknown, rule?: Rule): string {
  if (value == null) return "null";
  const type = rule?.type ?? "";
  const children = rule?.children;
  if (Array.isArray(value)) {
    const child = children === undefined ? undefined : asRule(children as Rule | string);
    return `[${value.map((element) => javaString(element, child)).join(", ")}]`;
  }
  if (typeof value !== "object") return String(value);
  const struct = /^(?:ValueStruct|FieldStruct)<(.+)>$/.exec(type);
  if (struct && children && typeof children === "object") {
    const memberRules = children as Record<string, Rule | string>;
    const order = MEMBER_ORDER[struct[1] ?? ""] ?? Object.keys(memberRules);
    const members = order.map(
      (name) =>
        `${lowerFirst(name)}=${javaString((value as Record<string, unknown>)[name], asRule(memberRules[name] ?? "String"))}`,
    );
    return `${struct[1]}(${members.join(", ")})`;
  }
  if (/^AttrStruct/.test(type) || isAttributeValue(value)) return attributeValueString(value);
  const child = children === undefined ? undefined : asRule(children as Rule | string);
  const entries = Object.entries(value as Record<string, unknown>).map(
    ([key, element]) => `${key}=${javaString(element, child)}`,
  );
  return `{${entries.join(", ")}}`;
}

function isAttributeValue(value: object): boolean {
  const keys = Object.keys(value);
  return (
    keys.length === 1 && ["S", "N", "B", "SS", "NS", "BS", "M", "L", "NULL", "BOOL"].includes(keys[0] ?? "")
  );
}

function attributeValueString(value: object): string {
  const v = value as Record<string, unknown>;
  const members = ATTRIBUTE_VALUE_MEMBERS.map(([name, wire]) => {
    const member = wire ? v[wire] : undefined;
    if (member === undefined) return `${name}=null`;
    if (wire === "M") {
      const entries = Object.entries(member as Record<string, unknown>).map(
        ([key, element]) => `${key}=${attributeValueString(element as object)}`,
      );
      return `${name}={${entries.join(", ")}}`;
    }
    if (wire === "L")
      return `${name}=[${(member as object[]).map((element) => attributeValueString(element)).join(", ")}]`;
    return `${name}=${Array.isArray(member) ? `[${member.join(", ")}]` : String(member)}`;
  });
  return `AttributeValue(${members.join(", ")})`;
}
