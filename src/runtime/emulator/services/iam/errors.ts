import { ServiceError } from "../../core/errors.js";

/** IAM errors with AWS's query codes, statuses and wording. */
export const iamErrors = {
  noSuchRole: (name: string) =>
    new ServiceError("NoSuchEntity", `The role with name ${name} cannot be found.`, 404),
  noSuchRolePolicy: (role: string, policy: string) =>
    new ServiceError("NoSuchEntity", `The role policy with name ${policy} cannot be found.`, 404, true, {
      role,
    }),
  noSuchUser: (name: string) =>
    new ServiceError("NoSuchEntity", `The user with name ${name} cannot be found.`, 404),
  noSuchUserPolicy: (policy: string) =>
    new ServiceError("NoSuchEntity", `The user policy with name ${policy} cannot be found.`, 404),
  noSuchGroup: (name: string) =>
    new ServiceError("NoSuchEntity", `The group with name ${name} cannot be found.`, 404),
  noSuchGroupPolicy: (policy: string) =>
    new ServiceError("NoSuchEntity", `The group policy with name ${policy} cannot be found.`, 404),
  noSuchPolicy: (arn: string) => new ServiceError("NoSuchEntity", `Policy ${arn} was not found.`, 404),
  notAttachable: (arn: string) =>
    new ServiceError("NoSuchEntity", `Policy ${arn} does not exist or is not attachable.`, 404),
  noSuchPolicyVersion: (arn: string, version: string) =>
    new ServiceError(
      "NoSuchEntity",
      `Policy ${arn} version ${version} does not exist or is not attachable.`,
      404,
    ),
  noSuchInstanceProfile: (name: string) =>
    new ServiceError("NoSuchEntity", `Instance Profile ${name} cannot be found.`, 404),
  noSuchAccessKey: (id: string) =>
    new ServiceError("NoSuchEntity", `The Access Key with id ${id} cannot be found.`, 404),
  noSuchOidcProvider: (arn: string) =>
    new ServiceError("NoSuchEntity", `OpenIDConnect Provider not found for arn ${arn}`, 404),
  noPasswordPolicy: (account: string) =>
    new ServiceError("NoSuchEntity", `The Password Policy with domain name ${account} cannot be found.`, 404),
  userNotInGroup: (user: string, group: string) =>
    new ServiceError("NoSuchEntity", `The user with name ${user} cannot be found in group ${group}.`, 404),
  policyNotAttached: (arn: string) => new ServiceError("NoSuchEntity", `Policy ${arn} was not found.`, 404),
  roleExists: (name: string) =>
    new ServiceError("EntityAlreadyExists", `Role with name ${name} already exists.`, 409),
  exists: (message: string) => new ServiceError("EntityAlreadyExists", message, 409),
  deleteConflictInline: () =>
    new ServiceError("DeleteConflict", "Cannot delete entity, must delete policies first.", 409),
  deleteConflictAttached: () =>
    new ServiceError("DeleteConflict", "Cannot delete entity, must detach all policies first.", 409),
  deleteConflict: (message: string) => new ServiceError("DeleteConflict", message, 409),
  unmodifiable: (message: string) => new ServiceError("UnmodifiableEntity", message, 400),
  malformedPolicy: (message: string) => new ServiceError("MalformedPolicyDocument", message, 400),
  limitExceeded: (message: string) => new ServiceError("LimitExceeded", message, 409),
  invalidInput: (message: string) => new ServiceError("InvalidInput", message, 400),
  validation: (member: string, value: unknown, constraint: string) =>
    new ServiceError(
      "ValidationError",
      `1 validation error detected: Value ${value === undefined ? "null" : `'${String(value)}'`} at '${member}' failed to satisfy constraint: ${constraint}`,
      400,
    ),
  validationMessage: (message: string) => new ServiceError("ValidationError", message, 400),
  missing: (member: string) =>
    new ServiceError(
      "ValidationError",
      `1 validation error detected: Value null at '${member}' failed to satisfy constraint: Member must not be null`,
      400,
    ),
  invalidAction: (action: string) =>
    new ServiceError("InvalidAction", `Could not find operation ${action} for version 2010-05-08`, 400),
};
