/** IAM quotas and formats the emulator enforces. */

export const ROLE_NAME_PATTERN = /^[\w+=,.@-]{1,64}$/;
export const USER_NAME_PATTERN = /^[\w+=,.@-]{1,64}$/;
export const GROUP_NAME_PATTERN = /^[\w+=,.@-]{1,128}$/;
export const INSTANCE_PROFILE_NAME_PATTERN = /^[\w+=,.@-]{1,128}$/;
export const POLICY_NAME_PATTERN = /^[\w+=,.@-]{1,128}$/;
export const PATH_PATTERN = /^\/([\x21-\x7e]*\/)?$/;
export const MAX_PATH_LENGTH = 512;
export const MAX_DESCRIPTION_LENGTH = 1000;
export const MIN_SESSION_DURATION = 3600;
export const MAX_SESSION_DURATION = 43200;
/** Default quota for a trust policy (role trust policy length). */
export const MAX_TRUST_POLICY_CHARS = 2048;
/** Aggregate size of all inline policies of one role, user or group (white space not counted). */
export const MAX_INLINE_POLICY_CHARS = { role: 10_240, user: 2_048, group: 5_120 } as const;
/** A customer managed policy version (white space not counted). */
export const MAX_MANAGED_POLICY_CHARS = 6_144;
export const MAX_POLICY_VERSIONS = 5;
/** Managed policies attached to one role, user or group (default quota). */
export const MAX_MANAGED_POLICIES_PER_ROLE = 10;
export const MAX_MANAGED_POLICIES = { role: 10, user: 10, group: 10 } as const;
export const MAX_TAGS = 50;
export const MAX_TAGS_PER_ROLE = MAX_TAGS;
export const MAX_ACCESS_KEYS_PER_USER = 2;
export const MAX_ROLES_PER_INSTANCE_PROFILE = 1;
export const MAX_GROUPS_PER_USER = 10;
export const MAX_ITEMS_DEFAULT = 100;
export const MAX_ITEMS_LIMIT = 1000;
export const POLICY_ARN_PATTERN = /^arn:aws[\w-]*:iam::(aws|\d{12}):policy\/(.+\/)?[\w+=,.@-]+$/;
export const POLICY_VERSION_PATTERN = /^v[1-9][0-9]*(\.[A-Za-z0-9-]*)?$/;
export const TAG_KEY_PATTERN = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]+$/u;
export const TAG_VALUE_PATTERN = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;
export const PASSWORD_LENGTH = { min: 6, max: 128, default: 6 } as const;
export const MAX_PASSWORD_AGE = 1095;
export const MAX_PASSWORD_REUSE_PREVENTION = 24;
export const COMPACT_AFTER_ENTRIES = 2_000;
