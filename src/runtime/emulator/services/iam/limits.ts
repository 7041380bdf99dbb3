/** IAM quotas and formats the emulator enforces. */

export const ROLE_NAME_PATTERN = /^[\w+=,.@-]{1,64}$/;
export const POLICY_NAME_PATTERN = /^[\w+=,.@-]{1,128}$/;
export const PATH_PATTERN = /^\/([\x21-\x7e]*\/)?$/;
export const MAX_PATH_LENGTH = 512;
export const MAX_DESCRIPTION_LENGTH = 1000;
export const MIN_SESSION_DURATION = 3600;
export const MAX_SESSION_DURATION = 43200;
/** Default quota for a trust policy (role trust policy length). */
export const MAX_TRUST_POLICY_CHARS = 2048;
/** Aggregate size of all inline policies on one role. */
export const MAX_INLINE_POLICY_CHARS_PER_ROLE = 10_240;
export const MAX_MANAGED_POLICIES_PER_ROLE = 10;
export const MAX_TAGS_PER_ROLE = 50;
export const MAX_ITEMS_DEFAULT = 100;
export const MAX_ITEMS_LIMIT = 1000;
export const POLICY_ARN_PATTERN = /^arn:aws[\w-]*:iam::(aws|\d{12}):policy\/(.+\/)?[\w+=,.@-]+$/;
export const COMPACT_AFTER_ENTRIES = 2_000;
