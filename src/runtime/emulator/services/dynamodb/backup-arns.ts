import { dynamoErrors } from "./errors.js";

/**
 * Backup ARNs as DynamoDB reads them: `arn:aws:dynamodb:<region>:<account>:table/<table>/backup/<id>`,
 * the id being the creation time in epoch milliseconds (14 digits) and 8 hex digits.
 *
 * DynamoDB identifies a backup by account, table and id, not by the ARN's region: a regional
 * endpoint finds its own backup under an ARN whose region was rewritten (and echoes that ARN back).
 * What it refuses: anything not shaped like a backup ARN (a table ARN included) is `Invalid Backup
 * ARN`; an unknown partition, service or region `Invalid Request: BackupArn is not valid`; another
 * account (or no region at all) AccessDeniedException.
 */

const BACKUP_ARN =
  /^arn:([^:]*):([^:]*):([^:]*):([^:]*):table\/([a-zA-Z0-9_.-]{3,255})\/backup\/(\d{14}-[0-9a-f]{8})$/;
const PARTITION = /^aws(?:-[a-z]+)*$/;
/** AWS's region names: a known geography, a direction, a number (us-east-1, ap-southeast-4, us-gov-west-1). */
const REGION = /^(?:us|eu|ap|sa|ca|me|af|il|mx|cn|us-gov|us-iso[a-z]?|eu-iso[a-z]?)-[a-z]+-\d{1,2}$/;

export interface BackupArn {
  /** The ARN as asked. */
  arn: string;
  region: string;
  /** `table/<table>/backup/<id>`: what identifies the backup within an account. */
  key: string;
}

/** Where the asking regional DynamoDB is. */
export interface Place {
  accountId: string;
  region: string;
}

export function parseBackupArn(arn: string, place: Place): BackupArn {
  const match = BACKUP_ARN.exec(arn);
  if (!match) throw dynamoErrors.validation("Invalid Backup ARN");
  const [, partition, service, region, account, table, id] = match as unknown as string[];
  if (
    !PARTITION.test(partition!) ||
    service !== "dynamodb" ||
    (region !== "" && region !== place.region && !REGION.test(region!))
  )
    throw dynamoErrors.validation("Invalid Request: BackupArn is not valid");
  if (region === "" || account !== place.accountId) throw dynamoErrors.accessDenied("Access is denied");
  return { arn, region: region!, key: `table/${table}/backup/${id}` };
}

/** The identifying part of a backup ARN this emulator made. */
export function backupKeyOf(arn: string): string {
  return arn.slice(arn.indexOf(":table/") + 1);
}
