import { ServiceError } from "../../core/errors.js";

/** IAM errors with AWS's query codes, statuses and wording. */
export const iamErrors = {
  noSuchRole: (name: string) =>
    new ServiceError("NoSuchEntity", `The role with name ${name} cannot be found.`, 404),
  noSuchRolePolicy: (role: string, policy: string) =>
    new ServiceError("NoSuchEntity", `The role policy with name ${policy} cannot be found.`, 404, true, {
      role,
    }),
  policyNotAttached: (arn: string) => new ServiceError("NoSuchEntity", `Policy ${arn} was not found.`, 404),
  roleExists: (name: string) =>
    new ServiceError("EntityAlreadyExists", `Role with name ${name} already exists.`, 409),
  deleteConflictInline: () =>
    new ServiceError("DeleteConflict", "Cannot delete entity, must delete policies first.", 409),
  deleteConflictAttached: () =>
    new ServiceError("DeleteConflict", "Cannot delete entity, must detach all policies first.", 409),
  malformedPolicy: (message: string) => new ServiceError("MalformedPolicyDocument", message, 400),
  limitExceeded: (message: string) => new ServiceError("LimitExceeded", message, 409),
  invalidInput: (message: string) => new ServiceError("InvalidInput", message, 400),
  validation: (member: string, value: unknown, constraint: string) =>
    new ServiceError(
      "ValidationError",
      `1 validation error detected: Value ${value === undefined ? "null" : `'${String(value)}'`} at '${member}' failed to satisfy constraint: ${constraint}`,
      400,
    ),
  missing: (member: string) =>
    new ServiceError(
      "ValidationError",
      `1 validation error detected: Value null at '${member}' failed to satisfy constraint: Member must not be null`,
      400,
    ),
  invalidAction: (action: string) =>
    new ServiceError("InvalidAction", `Could not find operation ${action} for version 2010-05-08`, 400),
};
