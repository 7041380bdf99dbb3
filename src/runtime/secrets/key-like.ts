/**
 * Whether a function environment variable holds something that looks like a key. A function's
 * environment is readable by anyone allowed lambda:GetFunctionConfiguration, so doctor reports
 * these and deploy refuses to set them. Two signs, either enough: the variable's name says it is a
 * secret (API_KEY, TOKEN, SECRET, PASSWORD, CREDENTIALS, PRIVATE_KEY, ACCESS_KEY), or its value has
 * the shape of one (a JWT such as TMDB's read access token, an AWS access key id, a well-known
 * token prefix, credentials inside a URL, or a long random-looking string). A name that points at
 * where the secret lives (..._PARAMETER, ..._ARN, ..._NAME) with a value that is a parameter name or
 * ARN is a reference, not a key.
 */

export interface KeyLikeVariable {
  name: string;
  /** Why it looks like a key, for the finding's message. */
  reason: string;
}

const SECRET_NAME = /(^|_)(API_?KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIALS?|PRIVATE_KEY|ACCESS_KEY)(_|$)/i;
const REFERENCE_NAME = /_(PARAMETER|PARAMETER_NAME|ARN|NAME|PATH)$/i;
const REFERENCE_VALUE = /^(\/[\w.\-/]+|arn:aws[\w-]*:(ssm|secretsmanager|kms):\S+)$/;

const VALUE_SHAPES: readonly { test: RegExp; reason: string }[] = [
  { test: /^eyJ[\w-]{8,}\.eyJ[\w-]{8,}\.[\w-]{8,}$/, reason: "its value is a JSON Web Token" },
  { test: /^(AKIA|ASIA)[A-Z0-9]{16}$/, reason: "its value is an AWS access key id" },
  {
    test: /^(sk|pk|rk)_(live|test)_[\w]{16,}$|^sk-[\w-]{20,}$|^gh[pousr]_[A-Za-z0-9]{30,}$|^xox[abprs]-[\w-]{10,}$|^AIza[\w-]{35}$/,
    reason: "its value has a well-known API token prefix",
  },
  { test: /^[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:[^/\s@]+@/i, reason: "its value is a URL with a password in it" },
];

/** A long string of key characters mixing upper case, lower case and digits, with no word-like structure. */
function looksRandom(value: string): boolean {
  if (value.length < 32 || !/^[A-Za-z0-9+/=_-]+$/.test(value)) return false;
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/].filter((re) => re.test(value)).length;
  if (classes < 3) return false;
  // Names such as celebrity-database-test split into words; keys do not.
  return value.split(/[-_]/).some((part) => part.length >= 24);
}

export function keyLikeVariables(variables: Readonly<Record<string, string | undefined>>): KeyLikeVariable[] {
  const found: KeyLikeVariable[] = [];
  for (const [name, raw] of Object.entries(variables)) {
    const value = (raw ?? "").trim();
    if (value === "" || value === "***") continue;
    if (REFERENCE_NAME.test(name) && REFERENCE_VALUE.test(value)) continue;
    const shape = VALUE_SHAPES.find((candidate) => candidate.test.test(value));
    if (shape) found.push({ name, reason: shape.reason });
    else if (SECRET_NAME.test(name) && !REFERENCE_NAME.test(name)) {
      found.push({ name, reason: "its name says it holds a secret" });
    } else if (looksRandom(value)) found.push({ name, reason: "its value is a long random-looking string" });
  }
  return found;
}
