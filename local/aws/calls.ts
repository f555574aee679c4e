/**
 * The calls the cell made to AWS, as the stand-ins (and the DynamoDB recording proxy) saw them:
 * which function called which IAM action on which resource, with the request values that IAM
 * condition keys are evaluated against (kms:EncryptionContext:…, dynamodb:LeadingKeys, …).
 */
export interface AwsCall {
  /** The calling function's template logical id (from the access key its workers sign with). */
  caller: string;
  /** The IAM action, `kms:Decrypt`. */
  action: string;
  /** The ARN of the resource the action is authorised on. */
  resource: string;
  /** Condition key values of the request (`kms:EncryptionContext:purpose` → `…`). */
  context: Record<string, string | string[]>;
  /** What the stand-in answered: `ok`, or the error type it answered with. */
  outcome: string;
}

export class CallLog {
  readonly calls: AwsCall[] = [];

  record(call: AwsCall): void {
    this.calls.push(call);
  }

  clear(): void {
    this.calls.length = 0;
  }
}

/** Who signs with which access key: each function of the cell gets its own, as each has its own role. */
export interface Caller {
  name: string;
  secretAccessKey: string;
  sessionToken: string;
}

export class Callers {
  private readonly byAccessKey = new Map<string, Caller>();

  register(accessKeyId: string, caller: Caller): void {
    this.byAccessKey.set(accessKeyId, caller);
  }

  find(accessKeyId: string): Caller | undefined {
    return this.byAccessKey.get(accessKeyId);
  }
}
