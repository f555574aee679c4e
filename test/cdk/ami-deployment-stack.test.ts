import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Peer, Port, SecurityGroup, Vpc } from 'aws-cdk-lib/aws-ec2';
import { ManagedPolicy, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { XPROTECT_CLIENT_PORTS } from '../../cdk/constructs/ami/xprotect-ports';
import {
  AMI_CONTEXT_KEY,
  AmiDeploymentStack,
  amiDeploymentPropsFromContext,
  INSTANCE_ENVIRONMENT,
  type AmiDeploymentStackProps,
} from '../../cdk/stacks/ami-deployment-stack';

const ENDPOINT = 'https://licensing.eu-west-1.example.com';
const CLIENT_CIDR = '10.20.0.0/16';

const base: AmiDeploymentStackProps = {
  env: { region: 'eu-west-1' },
  licenseModel: 'byol',
  clientCidr: CLIENT_CIDR,
  licensingEndpoint: ENDPOINT,
  amiId: 'ami-0123456789abcdef0',
  instanceType: 'm6i.2xlarge',
};

const synthesized = new Map<string, { stack: AmiDeploymentStack; template: Template }>();

/** Synthesizes once per distinct set of overrides (a synth takes about a second). */
function synth(overrides: Partial<AmiDeploymentStackProps> = {}) {
  const key = JSON.stringify(overrides, (_key, value: unknown) => (value === undefined ? null : value));
  let result = synthesized.get(key);
  if (!result) {
    const app = new App();
    const stack = new AmiDeploymentStack(app, 'XProtectAmi', { ...base, ...overrides });
    result = { stack, template: Template.fromStack(stack) };
    synthesized.set(key, result);
  }
  return result;
}

type Resources = Record<string, { Type: string; Properties: Record<string, any> }>;
const resourcesOf = (template: Template, type: string): Resources => template.findResources(type) as Resources;
const only = <T>(record: Record<string, T>): T => {
  const values = Object.values(record);
  expect(values).toHaveLength(1);
  return values[0]!;
};

/** The user data script as text, with intrinsic references rendered as `${Ref:Name}`. */
function userDataText(template: Template): string {
  const instance = only(resourcesOf(template, 'AWS::EC2::Instance'));
  const encoded = instance.Properties.UserData['Fn::Base64'] as string | { 'Fn::Join': [string, unknown[]] };
  const parts = typeof encoded === 'string' ? [encoded] : encoded['Fn::Join'][1];
  return parts.map((part) => (typeof part === 'string' ? part : `\${Ref:${(part as { Ref: string }).Ref}}`)).join('');
}

function nagViolations(scope: IConstruct) {
  return new AwsSolutionsChecks().validateScope(scope).violations.map((violation) => ({
    rule: violation.ruleName,
    resources: violation.violatingResources.map((resource) => resource.constructPath),
  }));
}

describe('AmiDeploymentStack', () => {
  it('builds a new VPC with two public and two private subnets, one NAT gateway and flow logs', () => {
    const { template } = synth();
    template.resourceCountIs('AWS::EC2::VPC', 1);
    template.hasResourceProperties('AWS::EC2::VPC', { CidrBlock: '10.0.0.0/16' });
    const subnets = Object.values(resourcesOf(template, 'AWS::EC2::Subnet'));
    expect(subnets.filter((subnet) => subnet.Properties.MapPublicIpOnLaunch === true)).toHaveLength(2);
    expect(subnets.filter((subnet) => subnet.Properties.MapPublicIpOnLaunch === false)).toHaveLength(2);
    template.resourceCountIs('AWS::EC2::NatGateway', 1);
    template.hasResourceProperties('AWS::EC2::FlowLog', {
      ResourceType: 'VPC',
      TrafficType: 'ALL',
      ResourceId: { Ref: Match.stringLikeRegexp('^Vpc') },
      LogDestinationType: 'cloud-watch-logs',
    });
  });

  it('places the XProtect instance in a private subnet, from the given AMI and instance type', () => {
    const { template } = synth();
    const subnets = resourcesOf(template, 'AWS::EC2::Subnet');
    const instance = only(resourcesOf(template, 'AWS::EC2::Instance'));
    const subnet = subnets[instance.Properties.SubnetId.Ref as string]!;
    expect(subnet.Properties.MapPublicIpOnLaunch).toBe(false);
    expect(instance.Properties.ImageId).toBe('ami-0123456789abcdef0');
    expect(instance.Properties.InstanceType).toBe('m6i.2xlarge');
    expect(instance.Properties.NetworkInterfaces).toBeUndefined();
    expect(instance.Properties.KeyName).toBeUndefined();
  });

  it('takes the AMI and instance type as CloudFormation parameters when not given', () => {
    const { template } = synth({ amiId: undefined, instanceType: undefined });
    template.hasParameter('AmiId', { Type: 'AWS::EC2::Image::Id' });
    template.hasParameter('InstanceType', { Type: 'String', Default: 'm6i.xlarge' });
    template.hasResourceProperties('AWS::EC2::Instance', { ImageId: { Ref: 'AmiId' }, InstanceType: { Ref: 'InstanceType' } });
  });

  it('opens only the documented XProtect ports, only from the client network, and no RDP or SSH', () => {
    const { template } = synth();
    const groups = Object.values(resourcesOf(template, 'AWS::EC2::SecurityGroup'));
    const ingress = groups.flatMap((group) => (group.Properties.SecurityGroupIngress ?? []) as any[]);
    template.resourceCountIs('AWS::EC2::SecurityGroupIngress', 0);
    expect(ingress.map((rule) => rule.FromPort).sort((a, b) => a - b)).toEqual(
      XPROTECT_CLIENT_PORTS.map((entry) => entry.port).sort((a, b) => a - b),
    );
    expect(ingress.map((rule) => rule.FromPort).sort()).toEqual([80, 443, 7563, 8081, 8082, 22331].sort());
    for (const rule of ingress) {
      expect(rule).toMatchObject({ IpProtocol: 'tcp', CidrIp: CLIENT_CIDR });
      expect(rule.ToPort).toBe(rule.FromPort);
      expect(rule.CidrIpv6).toBeUndefined();
      expect(rule.SourceSecurityGroupId).toBeUndefined();
    }
    expect(ingress.some((rule) => [22, 3389, 5985, 5986].includes(rule.FromPort))).toBe(false);
    expect(JSON.stringify(ingress)).not.toContain('0.0.0.0/0');
  });

  it.each(['0.0.0.0/0', '0.0.0.0/1', '10.0.0.0/7', '::/0', '10.0.0.0', '300.0.0.0/8', 'any'])('refuses the client CIDR %s', (clientCidr) => {
    expect(() => synth({ clientCidr })).toThrow(/clientCidr/);
  });

  it('refuses a licensing endpoint that is not HTTPS, and an SLC secret without BYOL', () => {
    expect(() => synth({ licensingEndpoint: 'http://licensing.example.com' })).toThrow(/licensingEndpoint/);
    expect(() => synth({ licenseModel: 'included', slcSecretName: 'xprotect/slc' })).toThrow(/slcSecretName/);
    expect(() => synth({ amiId: 'not-an-ami' })).toThrow(/amiId/);
  });

  it('requires IMDSv2 and encrypts every EBS volume', () => {
    const { template } = synth();
    const instance = only(resourcesOf(template, 'AWS::EC2::Instance'));
    expect(instance.Properties.MetadataOptions).toMatchObject({ HttpTokens: 'required', HttpEndpoint: 'enabled', HttpPutResponseHopLimit: 1 });
    const volumes = instance.Properties.BlockDeviceMappings as any[];
    expect(volumes.map((mapping) => mapping.DeviceName)).toEqual(['/dev/sda1', 'xvdf']);
    for (const mapping of volumes) expect(mapping.Ebs).toMatchObject({ Encrypted: true, VolumeType: 'gp3' });
    template.resourceCountIs('AWS::EC2::Volume', 0);
    expect(instance.Properties).toMatchObject({ Monitoring: true, DisableApiTermination: true });
  });

  it('gives the instance a role for SSM Session Manager and nothing else in the included-license deployment', () => {
    const { template } = synth({ licenseModel: 'included' });
    const roles = Object.values(resourcesOf(template, 'AWS::IAM::Role')).filter(
      (candidate) => candidate.Properties.AssumeRolePolicyDocument.Statement[0].Principal.Service === 'ec2.amazonaws.com',
    );
    expect(roles).toHaveLength(1);
    expect(JSON.stringify(roles[0]!.Properties.ManagedPolicyArns)).toContain(':iam::aws:policy/AmazonSSMManagedInstanceCore');
    expect(roles[0]!.Properties.ManagedPolicyArns).toHaveLength(1);
    const instancePolicies = Object.values(resourcesOf(template, 'AWS::IAM::Policy')).filter((policy) =>
      JSON.stringify(policy.Properties.Roles).includes('InstanceRole'),
    );
    expect(instancePolicies).toHaveLength(0);
    template.resourceCountIs('AWS::SecretsManager::Secret', 0);
  });

  it('lets the BYOL instance read its SLC secret and no other', () => {
    const { template } = synth();
    const secrets = resourcesOf(template, 'AWS::SecretsManager::Secret');
    const [secretId] = Object.keys(secrets);
    expect(Object.keys(secrets)).toHaveLength(1);
    const policies = Object.values(resourcesOf(template, 'AWS::IAM::Policy')).filter((policy) =>
      JSON.stringify(policy.Properties.Roles).includes('InstanceRole'),
    );
    expect(policies).toHaveLength(1);
    expect(policies[0]!.Properties.PolicyDocument.Statement).toEqual([
      {
        Effect: 'Allow',
        Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
        Resource: { Ref: secretId },
      },
    ]);
    template.hasResource('AWS::SecretsManager::Secret', { DeletionPolicy: 'Retain' });
  });

  it('scopes the read to a named existing secret when one is given', () => {
    const { template } = synth({ slcSecretName: 'xprotect/slc' });
    template.resourceCountIs('AWS::SecretsManager::Secret', 0);
    const policy = Object.values(resourcesOf(template, 'AWS::IAM::Policy')).find((candidate) =>
      JSON.stringify(candidate.Properties.Roles).includes('InstanceRole'),
    )!;
    const statement = policy.Properties.PolicyDocument.Statement;
    expect(statement).toHaveLength(1);
    expect(JSON.stringify(statement[0].Resource)).toContain(':secret:xprotect/slc-??????');
    expect(JSON.stringify(statement[0].Resource)).not.toContain('*');
    expect(userDataText(template)).toContain(':secret:xprotect/slc');
  });

  it('passes the regional endpoint and the secret ARN in user data, never the SLC', () => {
    const { template } = synth();
    const secretId = Object.keys(resourcesOf(template, 'AWS::SecretsManager::Secret'))[0]!;
    const script = userDataText(template);
    expect(script).toContain(`[Environment]::SetEnvironmentVariable('${INSTANCE_ENVIRONMENT.endpoint}', '${ENDPOINT}', 'Machine')`);
    expect(script).toContain(`'${INSTANCE_ENVIRONMENT.licenseModel}', 'byol'`);
    expect(script).toContain(`[Environment]::SetEnvironmentVariable('${INSTANCE_ENVIRONMENT.slcSecretArn}', '\${Ref:${secretId}}', 'Machine')`);
    const whole = JSON.stringify(template.toJSON());
    expect(whole).not.toMatch(/M01-[A-Z0-9]{2,8}-\d{3}-/);
    expect(whole).not.toContain('{{resolve:secretsmanager');
    expect(whole).not.toContain('"SecretString"');
  });

  it('passes no secret to an included-license instance', () => {
    const script = userDataText(synth({ licenseModel: 'included' }).template);
    expect(script).toContain(`'${INSTANCE_ENVIRONMENT.licenseModel}', 'included'`);
    expect(script).toContain(ENDPOINT);
    expect(script).not.toContain(INSTANCE_ENVIRONMENT.slcSecretArn);
  });

  it.each(['byol', 'included'] as const)('is cdk-nag AwsSolutions and Serverless clean (%s)', (licenseModel) => {
    expect(nagViolations(synth({ licenseModel }).stack)).toEqual([]);
    expect(nagViolations(synth({ licenseModel, amiId: undefined, instanceType: undefined }).stack)).toEqual([]);
    expect(new ServerlessChecks().validateScope(synth({ licenseModel }).stack).violations).toEqual([]);
  });

  it('synthesizes under the validation plugins the app registers', () => {
    const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'ami-synth-')) });
    new AmiDeploymentStack(app, 'XProtectAmiDeployment', { ...base, slcSecretName: undefined });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
    expect(() => app.synth()).not.toThrow();
  });

  it('acknowledges only specific findings, each with a specific reason', () => {
    const { stack } = synth();
    const acknowledged: Record<string, string> = {};
    for (const construct of stack.node.findAll()) {
      for (const entry of construct.node.metadata) {
        if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
        for (const [key, reason] of Object.entries(entry.data as Record<string, string>)) {
          const id = key.replace(/^annotation::/i, '');
          // aws-cdk-lib acknowledges some of its own CloudFormation-Validate findings; only ours count here.
          if (id.startsWith('AwsSolutions-')) acknowledged[id] = reason;
        }
      }
    }
    expect(Object.keys(acknowledged).sort()).toEqual([
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/AmazonSSMManagedInstanceCore]',
      'AwsSolutions-SMG4',
    ]);
    for (const reason of Object.values(acknowledged)) expect(reason.length).toBeGreaterThan(60);
  });

  it('the nag check reports what the acknowledgements and the security group rules prevent', () => {
    // The same findings on a bare stack, so that the checks above cannot pass vacuously.
    const app = new App();
    const stack = new Stack(app, 'Bare', { env: { region: 'eu-west-1' } });
    const vpc = new Vpc(stack, 'Vpc', { restrictDefaultSecurityGroup: false });
    const group = new SecurityGroup(stack, 'Open', { vpc, description: 'open' });
    group.addIngressRule(Peer.anyIpv4(), Port.tcp(3389));
    new Role(stack, 'Role', {
      assumedBy: new ServicePrincipal('ec2.amazonaws.com'),
      managedPolicies: [ManagedPolicy.fromAwsManagedPolicyName('AmazonSSMManagedInstanceCore')],
    });
    const rules = nagViolations(stack).map((violation) => violation.rule);
    expect(rules).toEqual(
      expect.arrayContaining([
        'AwsSolutions-EC23',
        'AwsSolutions-VPC7',
        'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/AmazonSSMManagedInstanceCore]',
      ]),
    );
  });

  it('reads its settings from the app context', () => {
    const app = new App({
      context: { [AMI_CONTEXT_KEY]: { licenseModel: 'included', clientCidr: '192.168.0.0/24', licensingEndpoint: ENDPOINT } },
    });
    const props = amiDeploymentPropsFromContext(app);
    expect(props).toMatchObject({ licenseModel: 'included', clientCidr: '192.168.0.0/24', rootVolumeGiB: 100, recordingVolumeGiB: 500 });
    expect(amiDeploymentPropsFromContext(new App())).toBeUndefined();
    const fromCommandLine = new App({ context: { [AMI_CONTEXT_KEY]: JSON.stringify({ licenseModel: 'byol', clientCidr: '10.1.0.0/16', licensingEndpoint: ENDPOINT }) } });
    expect(amiDeploymentPropsFromContext(fromCommandLine)).toMatchObject({ licenseModel: 'byol', clientCidr: '10.1.0.0/16' });
    expect(() => amiDeploymentPropsFromContext(new App({ context: { [AMI_CONTEXT_KEY]: 'byol' } }))).toThrow(/not a JSON object/);
    expect(() => amiDeploymentPropsFromContext(new App({ context: { [AMI_CONTEXT_KEY]: { licenseModel: 'byol' } } }))).toThrow(
      /xprotectAmiDeployment\.clientCidr/,
    );
    const stack = new AmiDeploymentStack(app, 'FromContext', { env: { region: 'us-east-1' }, ...props! });
    Template.fromStack(stack).hasResourceProperties('AWS::EC2::SecurityGroup', {
      SecurityGroupIngress: Match.arrayWith([Match.objectLike({ CidrIp: '192.168.0.0/24', FromPort: 443 })]),
    });
  });
});
