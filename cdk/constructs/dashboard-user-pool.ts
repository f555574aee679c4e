import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { PolicyStatement, type IGrantable } from 'aws-cdk-lib/aws-iam';
import { AccountRecovery, Mfa, UserPool, UserPoolClient, UserPoolEmail } from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';
import { USER_POOL_ENV } from '../../shared/adapters/user-pool';

/**
 * The cell's user pool of dashboard users (API.md §11). Users are created only by the service
 * (AdminCreateUser: Cognito e-mails the invitation with a temporary password, and the first sign-in
 * must set a new one); nobody signs up. Role and tenant live in the user record in the table, not in
 * the pool. The dashboard's app client signs in with USER_PASSWORD_AUTH and gets 1-hour ID tokens.
 */
export class DashboardUserPool extends Construct {
  readonly userPool: UserPool;
  readonly client: UserPoolClient;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.userPool = new UserPool(this, 'UserPool', {
      userPoolName: 'cloud-licensing-dashboard',
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      signInCaseSensitive: false,
      autoVerify: { email: true },
      standardAttributes: { email: { required: true, mutable: true }, fullname: { required: false, mutable: true } },
      passwordPolicy: { minLength: 12, requireLowercase: true, requireUppercase: true, requireDigits: true, requireSymbols: true, tempPasswordValidity: Duration.days(7) },
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      mfa: Mfa.OPTIONAL,
      mfaSecondFactor: { sms: false, otp: true },
      email: UserPoolEmail.withCognito(),
      userInvitation: {
        emailSubject: 'Your Cloud Licensing Customer Dashboard account',
        emailBody:
          'You have been given access to the Cloud Licensing Customer Dashboard. Sign in with the e-mail address {username} and the temporary password {####}; you will choose your own password at the first sign-in.',
      },
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.client = this.userPool.addClient('DashboardClient', {
      userPoolClientName: 'dashboard',
      authFlows: { userPassword: true },
      generateSecret: false,
      preventUserExistenceErrors: true,
      idTokenValidity: Duration.hours(1),
      accessTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.days(1),
      enableTokenRevocation: true,
    });
    Validations.of(this.userPool).acknowledge(
      {
        id: 'AwsSolutions-COG2',
        reason:
          'MFA is offered (TOTP, optional) but not required: dashboard users are invited by ops and partners, and their rights are checked against the user record in the table on every request; requiring MFA is a per-cell decision left to ops.',
      },
      {
        id: 'AwsSolutions-COG8',
        reason:
          'Threat protection (advanced security) is a paid Cognito feature plan; the pool has no self sign-up, invited users only, strong password policy and optional TOTP, and the API re-checks every token against the user record.',
      },
    );
  }

  /** What the functions need to verify ID tokens (and, for those that manage users, to call the pool). */
  environment(): Record<string, string> {
    return { [USER_POOL_ENV.poolId]: this.userPool.userPoolId, [USER_POOL_ENV.clientId]: this.client.userPoolClientId };
  }

  /** AdminCreateUser and AdminDeleteUser on this pool only. */
  grantManageUsers(grantee: IGrantable): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['cognito-idp:AdminCreateUser', 'cognito-idp:AdminDeleteUser'], resources: [this.userPool.userPoolArn] }),
    );
  }
}
