/** STS quotas and formats (AWS STS API Reference). */

export const MIN_DURATION_SECONDS = 900;
/** AssumeRole* accept at most 12 hours, and never more than the role's MaxSessionDuration. */
export const MAX_ROLE_DURATION_SECONDS = 43_200;
export const DEFAULT_ROLE_DURATION_SECONDS = 3_600;
/** A role session assuming another role (role chaining) is limited to one hour. */
export const MAX_CHAINED_DURATION_SECONDS = 3_600;
/** GetSessionToken and GetFederationToken: 15 minutes to 36 hours, 12 hours by default. */
export const MAX_TOKEN_DURATION_SECONDS = 129_600;
export const DEFAULT_TOKEN_DURATION_SECONDS = 43_200;
/** The account root user's GetSessionToken / GetFederationToken sessions last at most an hour. */
export const MAX_ROOT_TOKEN_DURATION_SECONDS = 3_600;
export const ROLE_SESSION_NAME_PATTERN = /^[\w+=,.@-]*$/;
export const ROLE_SESSION_NAME_LENGTH = { min: 2, max: 64 } as const;
export const FEDERATED_NAME_LENGTH = { min: 2, max: 32 } as const;
export const EXTERNAL_ID_PATTERN = /^[\w+=,.@:/-]*$/;
export const EXTERNAL_ID_LENGTH = { min: 2, max: 1224 } as const;
export const SOURCE_IDENTITY_LENGTH = { min: 2, max: 64 } as const;
export const MAX_SESSION_POLICY_CHARS = 2_048;
export const MAX_POLICY_ARNS = 10;
export const MAX_SESSION_TAGS = 50;
export const WEB_IDENTITY_TOKEN_LENGTH = { min: 4, max: 20_000 } as const;
export const COMPACT_AFTER_ENTRIES = 2_000;
