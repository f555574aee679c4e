import { GetCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import type { UserRole } from '../domain/scope';
import { store } from './client';
import { byCustomer, byOwner, createdOrder, keys } from './keys';
import { decodeCursor, encodeCursor, type Page } from './pagination';

/**
 * A dashboard user (item `USER#<userId>` / `USER`); `userId` is the user pool's `sub`. Listed for
 * ops on gsi1 (`USERS`) and for the managing partner on gsi2 (`PARTNER#<id>#USERS`). Its e-mail is
 * claimed by `USEREMAIL#<email>`, written in the same transaction.
 */
export interface UserRecord {
  userId: string;
  email: string;
  name: string;
  role: UserRole;
  partnerId: string | null;
  customerId: string | null;
  /** The partner that manages the user: its own partner, or its customer's partner. */
  managingPartnerId: string | null;
  createdAt: string;
}

function userItem(user: UserRecord): Record<string, unknown> {
  return {
    ...keys.user(user.userId),
    type: 'user',
    ...user,
    gsi1pk: byOwner.allUsers(),
    gsi1sk: createdOrder(user.createdAt, user.userId),
    ...(user.managingPartnerId
      ? { gsi2pk: byCustomer.partnerUsers(user.managingPartnerId), gsi2sk: createdOrder(user.createdAt, user.userId) }
      : {}),
  };
}

const recordOf = (item: Record<string, unknown>): UserRecord => ({
  userId: item.userId as string,
  email: item.email as string,
  name: item.name as string,
  role: item.role as UserRole,
  partnerId: (item.partnerId as string | null) ?? null,
  customerId: (item.customerId as string | null) ?? null,
  managingPartnerId: (item.managingPartnerId as string | null) ?? null,
  createdAt: item.createdAt as string,
});

export async function findUserIdByEmail(email: string): Promise<string | undefined> {
  const { client, tableName } = store();
  const { Item } = await client.send(new GetCommand({ TableName: tableName, Key: keys.userEmail(email), ConsistentRead: true }));
  return Item?.userId as string | undefined;
}

/** Writes the user and its e-mail claim together; `email_taken` when another user holds the address. */
export async function putNewUser(user: UserRecord): Promise<'created' | 'email_taken'> {
  const { client, tableName } = store();
  try {
    await client.send(
      new TransactWriteCommand({
        TransactItems: [
          { Put: { TableName: tableName, Item: { ...keys.userEmail(user.email), type: 'user_email', userId: user.userId }, ConditionExpression: 'attribute_not_exists(pk)' } },
          { Put: { TableName: tableName, Item: userItem(user), ConditionExpression: 'attribute_not_exists(pk)' } },
        ],
      }),
    );
    return 'created';
  } catch (error) {
    if (error instanceof TransactionCanceledException) return 'email_taken';
    throw error;
  }
}

export async function getUser(userId: string): Promise<UserRecord | undefined> {
  const { client, tableName } = store();
  const { Item } = await client.send(new GetCommand({ TableName: tableName, Key: keys.user(userId), ConsistentRead: true }));
  return Item ? recordOf(Item) : undefined;
}

/** Removes the user and its e-mail claim; a user already gone is `not_found`. */
export async function deleteUserRecord(user: UserRecord): Promise<'deleted' | 'not_found'> {
  const { client, tableName } = store();
  try {
    await client.send(
      new TransactWriteCommand({
        TransactItems: [
          { Delete: { TableName: tableName, Key: keys.user(user.userId), ConditionExpression: 'attribute_exists(pk)' } },
          { Delete: { TableName: tableName, Key: keys.userEmail(user.email), ConditionExpression: 'userId = :userId', ExpressionAttributeValues: { ':userId': user.userId } } },
        ],
      }),
    );
    return 'deleted';
  } catch (error) {
    if (error instanceof TransactionCanceledException) return 'not_found';
    throw error;
  }
}

async function listUsers(index: 'gsi1' | 'gsi2', partitionKey: string, limit: number, cursor?: string): Promise<Page<UserRecord>> {
  const { client, tableName } = store();
  const scope = `users:${partitionKey}`;
  const result = await client.send(
    new QueryCommand({
      TableName: tableName,
      IndexName: index,
      KeyConditionExpression: `${index}pk = :pk`,
      ExpressionAttributeValues: { ':pk': partitionKey },
      Limit: limit,
      ExclusiveStartKey: await decodeCursor(scope, cursor),
    }),
  );
  return { items: (result.Items ?? []).map(recordOf), nextCursor: await encodeCursor(scope, result.LastEvaluatedKey) };
}

/** Every user, oldest first (ops). */
export const listAllUsers = (limit: number, cursor?: string) => listUsers('gsi1', byOwner.allUsers(), limit, cursor);

/** The users a partner manages, oldest first. */
export const listPartnerUsers = (partnerId: string, limit: number, cursor?: string) =>
  listUsers('gsi2', byCustomer.partnerUsers(partnerId), limit, cursor);
