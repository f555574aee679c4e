import { createRequire } from 'node:module';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Server } from 'node:http';
import { assertPortFree, freePort } from './dynamodb-local';

/**
 * The Amazon Cognito user pool of the cell, served locally by the npm package `cognito-local`
 * (MIT, runs offline): the same JSON 1.1 wire protocol (AdminCreateUser, InitiateAuth
 * USER_PASSWORD_AUTH, RespondToAuthChallenge NEW_PASSWORD_REQUIRED, AdminDeleteUser) and RS256 ID
 * tokens with a JWKS at `<issuer>/.well-known/jwks.json`.
 *
 * cognito-local signs with the development key it ships, so its tokens are only as secret as that
 * key: this stand-in listens on 127.0.0.1 and is for a developer's machine, never a deployed cell.
 * The API still checks issuer (which names the pool), audience (the app client), expiry and token_use.
 */
export interface LocalUserPool {
  /** The endpoint for AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER. */
  endpoint: string;
  userPoolId: string;
  clientId: string;
  /** The `iss` of its tokens; the JWKS is under it. */
  issuer: string;
  stop(): Promise<void>;
}

export interface LocalUserPoolOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Where users are kept across restarts, or ':memory:' for a throw-away directory. */
  dataDir: string;
  /** pino level of the stand-in's own log; `silent` by default. */
  logLevel?: string;
}

interface CognitoLocalModules {
  server: typeof import('cognito-local/lib/server/server');
  config: typeof import('cognito-local/lib/server/config');
  services: typeof import('cognito-local/lib/services');
  cognitoService: typeof import('cognito-local/lib/services/cognitoService');
  userPoolService: typeof import('cognito-local/lib/services/userPoolService');
  stormDb: typeof import('cognito-local/lib/services/dataStore/stormDb');
  crypto: typeof import('cognito-local/lib/services/crypto');
  messageDelivery: typeof import('cognito-local/lib/services/messageDelivery/messageDelivery');
  consoleSender: typeof import('cognito-local/lib/services/messageDelivery/consoleMessageSender');
  tokenGenerator: typeof import('cognito-local/lib/services/tokenGenerator');
  otp: typeof import('cognito-local/lib/services/otp');
  router: typeof import('cognito-local/lib/server/Router');
  errors: typeof import('cognito-local/lib/errors');
  pino: typeof import('pino').default;
}

function loadModules(): CognitoLocalModules {
  const require = createRequire(import.meta.url);
  // cognito-local still uses the AWS SDK v2 (for Lambda triggers, not configured here); it need not warn at every start.
  process.env.AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE ??= '1';
  return {
    server: require('cognito-local/lib/server/server'),
    config: require('cognito-local/lib/server/config'),
    services: require('cognito-local/lib/services'),
    cognitoService: require('cognito-local/lib/services/cognitoService'),
    userPoolService: require('cognito-local/lib/services/userPoolService'),
    stormDb: require('cognito-local/lib/services/dataStore/stormDb'),
    crypto: require('cognito-local/lib/services/crypto'),
    messageDelivery: require('cognito-local/lib/services/messageDelivery/messageDelivery'),
    consoleSender: require('cognito-local/lib/services/messageDelivery/consoleMessageSender'),
    tokenGenerator: require('cognito-local/lib/services/tokenGenerator'),
    otp: require('cognito-local/lib/services/otp'),
    router: require('cognito-local/lib/server/Router'),
    errors: require('cognito-local/lib/errors'),
    pino: require('pino'),
  };
}

/** cognito-local's own composition (its createDefaultServer), with our directory, address and logger. */
async function composeServer(m: CognitoLocalModules, directory: string, port: number, logLevel: string) {
  const logger = m.pino({ level: logLevel });
  const ctx = { logger };
  const issuerDomain = `http://127.0.0.1:${port}`;
  const config = {
    ...m.config.DefaultConfig,
    TokenConfig: { IssuerDomain: issuerDomain },
    ServerConfig: { port, hostname: '127.0.0.1', development: false, https: false as const },
  };
  const clock = new m.services.DateClock();
  const dataStoreFactory = new m.stormDb.StormDBDataStoreFactory(directory);
  const cognito = await new m.cognitoService.CognitoServiceFactoryImpl(
    directory,
    dataStoreFactory,
    new m.userPoolService.UserPoolServiceFactoryImpl(clock, dataStoreFactory),
  ).create(ctx, config.UserPoolDefaults);
  // No Lambda triggers are configured, so the trigger service never calls Lambda or KMS.
  const triggers = new m.services.TriggersService(clock, cognito, new m.services.LambdaService({}, null as never), new m.crypto.CryptoService(undefined));
  const services = {
    clock,
    cognito,
    config,
    messages: new m.services.MessagesService(triggers, new m.messageDelivery.MessageDeliveryService(new m.consoleSender.ConsoleMessageSender())),
    otp: m.otp.otp,
    tokenGenerator: new m.tokenGenerator.JwtTokenGenerator(clock, triggers, config.TokenConfig),
    triggers,
  };
  const router = withTemporaryPasswordCheck(m, m.router.Router(services), cognito);
  return { server: m.server.createServer(router, logger, config.ServerConfig, services), issuerDomain };
}

type Router = ReturnType<CognitoLocalModules['router']['Router']>;
type CognitoService = Awaited<ReturnType<InstanceType<CognitoLocalModules['cognitoService']['CognitoServiceFactoryImpl']>['create']>>;

/**
 * cognito-local (5.3.0) answers USER_PASSWORD_AUTH for a user who has not changed the temporary
 * password with the NEW_PASSWORD_REQUIRED challenge without checking that password. Amazon
 * Cognito checks it (a wrong one is NotAuthorizedException), so the stand-in does too: otherwise
 * anyone who knew an invited user's e-mail could choose that user's password.
 */
function withTemporaryPasswordCheck(m: CognitoLocalModules, router: Router, cognito: CognitoService): Router {
  return (target) => {
    const route = router(target);
    if (target !== 'InitiateAuth') return route;
    return async (ctx, req) => {
      const request = req as { AuthFlow?: string; ClientId?: string; AuthParameters?: { USERNAME?: string; PASSWORD?: string } };
      if (request.AuthFlow === 'USER_PASSWORD_AUTH' && request.ClientId && request.AuthParameters?.USERNAME) {
        const pool = await cognito.getUserPoolForClientId(ctx, request.ClientId);
        const user = await pool.getUserByUsername(ctx, request.AuthParameters.USERNAME);
        if (user?.UserStatus === 'FORCE_CHANGE_PASSWORD' && user.Password !== request.AuthParameters.PASSWORD) {
          throw new m.errors.NotAuthorizedError('Incorrect username or password.');
        }
      }
      return route(ctx, req);
    };
  };
}

interface PoolAnswer {
  UserPool?: { Id: string };
  UserPoolClient?: { ClientId: string };
  __type?: string;
  message?: string;
}

async function call(endpoint: string, operation: string, input: Record<string, unknown>): Promise<PoolAnswer> {
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `AWSCognitoIdentityProviderService.${operation}` },
    body: JSON.stringify(input),
  });
  const body = (await response.json()) as PoolAnswer;
  if (!response.ok) throw new Error(`${operation} failed: ${body.__type ?? response.status} ${body.message ?? ''}`);
  return body;
}

/** The pool and app client the cell uses: created on first start, found again in the data directory after. */
async function ensurePool(endpoint: string, directory: string): Promise<{ userPoolId: string; clientId: string }> {
  const file = join(directory, 'cell-pool.json');
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as { userPoolId: string; clientId: string };
  const { UserPool } = await call(endpoint, 'CreateUserPool', { PoolName: 'cloud-licensing-dashboard', UsernameAttributes: ['email'] });
  const { UserPoolClient } = await call(endpoint, 'CreateUserPoolClient', {
    UserPoolId: UserPool!.Id,
    ClientName: 'dashboard',
    ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
  });
  const pool = { userPoolId: UserPool!.Id, clientId: UserPoolClient!.ClientId };
  writeFileSync(file, JSON.stringify(pool));
  return pool;
}

/** Starts the local user pool; resolves once it answers on its port. */
export async function startLocalUserPool(options: LocalUserPoolOptions): Promise<LocalUserPool> {
  const port = options.port || (await freePort());
  await assertPortFree(port, 'User pool stand-in');
  const temporary = options.dataDir === ':memory:';
  const directory = temporary ? mkdtempSync(join(tmpdir(), 'cloud-licensing-user-pool-')) : resolve(options.dataDir);
  mkdirSync(directory, { recursive: true });
  const { server, issuerDomain } = await composeServer(loadModules(), directory, port, options.logLevel ?? 'silent');
  const http: Server = (await server.start()) as Server;
  const endpoint = `${issuerDomain}/`;
  try {
    const pool = await ensurePool(endpoint, directory);
    return {
      endpoint,
      ...pool,
      issuer: `${issuerDomain}/${pool.userPoolId}`,
      stop: async () => {
        http.closeAllConnections();
        await new Promise<void>((resolvePromise) => http.close(() => resolvePromise()));
        if (temporary) rmSync(directory, { recursive: true, force: true });
      },
    };
  } catch (error) {
    http.close();
    throw error;
  }
}
