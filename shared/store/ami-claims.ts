import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { store } from './client';
import { keys } from './keys';
import { writeIf } from './conditional-write';

/** The claim an EC2 instance makes on its included license: one per AWS account and instance. */
export interface AmiClaim {
  accountId: string;
  instanceId: string;
  installationId: string;
  slc: string | null;
  claimedAt: number;
}

/** Claims the instance; false when a claim exists already. */
export async function putClaim(claim: AmiClaim): Promise<boolean> {
  const { tableName } = store();
  return writeIf(
    new PutCommand({
      TableName: tableName,
      Item: { ...keys.amiInstance(claim.accountId, claim.instanceId), type: 'ami_claim', ...claim },
      ConditionExpression: 'attribute_not_exists(pk)',
    }),
  );
}

export async function getClaim(accountId: string, instanceId: string): Promise<AmiClaim | undefined> {
  const { client, tableName } = store();
  const { Item } = await client.send(
    new GetCommand({ TableName: tableName, Key: keys.amiInstance(accountId, instanceId), ConsistentRead: true }),
  );
  return Item as AmiClaim | undefined;
}

/** Takes over a claim whose first activation was abandoned; false when someone else did first. */
export async function renewClaim(claim: AmiClaim, claimedAt: number): Promise<boolean> {
  return conditionalUpdate(claim, 'SET claimedAt = :now', 'claimedAt = :previous', { ':now': claimedAt, ':previous': claim.claimedAt });
}

/** Records the SLC issued for the claim; false when another SLC was recorded first. */
export async function recordClaimSlc(claim: AmiClaim, slc: string): Promise<boolean> {
  return conditionalUpdate(claim, 'SET slc = :slc', 'slc = :null', { ':slc': slc, ':null': null });
}

async function conditionalUpdate(claim: AmiClaim, update: string, condition: string, values: Record<string, unknown>): Promise<boolean> {
  const { tableName } = store();
  return writeIf(
    new UpdateCommand({
      TableName: tableName,
      Key: keys.amiInstance(claim.accountId, claim.instanceId),
      UpdateExpression: update,
      ConditionExpression: condition,
      ExpressionAttributeValues: values,
    }),
  );
}
