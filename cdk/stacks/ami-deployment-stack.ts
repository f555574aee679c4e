import { CfnOutput, CfnParameter, RemovalPolicy, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import {
  BlockDeviceVolume,
  EbsDeviceVolumeType,
  FlowLogDestination,
  FlowLogTrafficType,
  HttpTokens,
  Instance,
  InstanceType,
  IpAddresses,
  OperatingSystemType,
  Peer,
  Port,
  SecurityGroup,
  SubnetType,
  UserData,
  Vpc,
  type IMachineImage,
} from 'aws-cdk-lib/aws-ec2';
import { ManagedPolicy, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Secret, type ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { AMI_CONTEXT_KEY, parseAmiDeploymentSettings, type AmiDeploymentSettings, type AmiDeploymentSettingsInput } from '../constructs/ami/settings';
import { XPROTECT_CLIENT_PORTS } from '../constructs/ami/xprotect-ports';

export { AMI_CONTEXT_KEY } from '../constructs/ami/settings';
export type { AmiDeploymentSettingsInput, AmiLicenseModel } from '../constructs/ami/settings';

export type AmiDeploymentStackProps = StackProps & AmiDeploymentSettingsInput;

/** The Windows root device of the XProtect AMI, and the device of the volume that holds recordings. */
const ROOT_DEVICE = '/dev/sda1';
const RECORDING_DEVICE = 'xvdf';

/** Machine-level environment variables the instance's licensing agent reads (docs/AMI-DEPLOYMENT.md). */
export const INSTANCE_ENVIRONMENT = {
  endpoint: 'XPROTECT_LICENSING_ENDPOINT',
  licenseModel: 'XPROTECT_LICENSE_MODEL',
  slcSecretArn: 'XPROTECT_SLC_SECRET_ARN',
} as const;

/** An AMI id that may be a CloudFormation parameter: the XProtect AMI is Windows. */
function windowsImage(imageId: string): IMachineImage {
  return { getImage: () => ({ imageId, osType: OperatingSystemType.WINDOWS, userData: UserData.forWindows() }) };
}

const powershellString = (value: string) => `'${value.replace(/'/g, "''")}'`;

/**
 * The default deployment of the XProtect AMI, as the Marketplace template makes it: a new VPC with
 * public and private subnets (one NAT gateway), the XProtect instance in a private subnet, a security
 * group that opens only the documented XProtect client ports and only to the client network, no
 * RDP or SSH (administration through SSM Session Manager), IMDSv2 only, encrypted EBS volumes, VPC
 * flow logs, and the regional licensing endpoint passed in user data. With a BYOL license the SLC is
 * kept in Secrets Manager: user data carries the secret's ARN, and the instance role may read that
 * one secret and nothing else.
 */
export class AmiDeploymentStack extends Stack {
  readonly settings: AmiDeploymentSettings;
  readonly vpc: Vpc;
  readonly instance: Instance;
  readonly securityGroup: SecurityGroup;
  readonly role: Role;
  readonly slcSecret?: ISecret;

  constructor(scope: Construct, id: string, props: AmiDeploymentStackProps) {
    const { env, description, tags, stackName, terminationProtection, ...input } = props;
    super(scope, id, {
      env,
      tags,
      stackName,
      terminationProtection,
      description: description ?? `XProtect on AWS (${input.licenseModel === 'byol' ? 'bring your own license' : 'included Essential+ license'})`,
    });
    const settings = parseAmiDeploymentSettings(input);
    this.settings = settings;

    const amiId =
      settings.amiId ??
      new CfnParameter(this, 'AmiId', { type: 'AWS::EC2::Image::Id', description: 'The XProtect AMI of this region' }).valueAsString;
    const instanceType =
      settings.instanceType ??
      new CfnParameter(this, 'InstanceType', {
        type: 'String',
        default: 'm6i.xlarge',
        allowedPattern: '^[a-z][a-z0-9-]*\\.[a-z0-9]+$',
        description: 'EC2 instance type of the XProtect server',
      }).valueAsString;

    const flowLogGroup = new LogGroup(this, 'FlowLogs', { retention: RetentionDays.ONE_YEAR, removalPolicy: RemovalPolicy.RETAIN });
    this.vpc = new Vpc(this, 'Vpc', {
      ipAddresses: IpAddresses.cidr(settings.vpcCidr),
      maxAzs: 2,
      natGateways: 1,
      restrictDefaultSecurityGroup: false,
      subnetConfiguration: [
        { name: 'Public', subnetType: SubnetType.PUBLIC, cidrMask: 24 },
        { name: 'Private', subnetType: SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 24 },
      ],
      flowLogs: {
        All: { destination: FlowLogDestination.toCloudWatchLogs(flowLogGroup), trafficType: FlowLogTrafficType.ALL },
      },
    });

    this.securityGroup = new SecurityGroup(this, 'XProtectServerSecurityGroup', {
      vpc: this.vpc,
      description: 'XProtect server: the documented XProtect client ports from the client network only; no RDP or SSH',
      allowAllOutbound: true,
    });
    for (const { port, component, purpose } of XPROTECT_CLIENT_PORTS) {
      this.securityGroup.addIngressRule(Peer.ipv4(settings.clientCidr), Port.tcp(port), `XProtect ${component}: ${purpose}`.slice(0, 255));
    }

    this.role = new Role(this, 'InstanceRole', {
      assumedBy: new ServicePrincipal('ec2.amazonaws.com'),
      description: 'XProtect server: SSM Session Manager and, for BYOL, reading its SLC secret',
      managedPolicies: [ManagedPolicy.fromAwsManagedPolicyName('AmazonSSMManagedInstanceCore')],
    });
    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/AmazonSSMManagedInstanceCore]',
      reason:
        'AmazonSSMManagedInstanceCore is the AWS-maintained minimum for the SSM Agent (Session Manager replaces RDP); ' +
        'AWS updates it when the agent needs new actions, which a copied inline policy would miss.',
    });

    const userData = UserData.forWindows({ persist: false });
    const setMachineVariable = (name: string, value: string) =>
      userData.addCommands(`[Environment]::SetEnvironmentVariable(${powershellString(name)}, ${powershellString(value)}, 'Machine')`);
    setMachineVariable(INSTANCE_ENVIRONMENT.endpoint, settings.licensingEndpoint);
    setMachineVariable(INSTANCE_ENVIRONMENT.licenseModel, settings.licenseModel);

    if (settings.licenseModel === 'byol') {
      const secret = settings.slcSecretName
        ? Secret.fromSecretNameV2(this, 'Slc', settings.slcSecretName)
        : new Secret(this, 'Slc', {
            description:
              'XProtect software license code (SLC) for BYOL activation. Created with a random placeholder: ' +
              'put the SLC with "aws secretsmanager put-secret-value" before activating.',
            removalPolicy: RemovalPolicy.RETAIN,
          });
      if (secret instanceof Secret) {
        Validations.of(secret).acknowledge({
          id: 'AwsSolutions-SMG4',
          reason:
            'The secret holds the SLC that Milestone issued with the license; it cannot be rotated by a function, ' +
            'it changes only when the licensing back office issues or transfers a license.',
        });
      }
      secret.grantRead(this.role);
      this.slcSecret = secret;
      // Only the ARN: the instance reads the SLC with its role when it activates.
      setMachineVariable(INSTANCE_ENVIRONMENT.slcSecretArn, secret.secretArn);
      new CfnOutput(this, 'SlcSecretArn', { value: secret.secretArn, description: 'Put the SLC into this secret' });
    }

    this.instance = new Instance(this, 'XProtectServer', {
      vpc: this.vpc,
      vpcSubnets: { subnetType: SubnetType.PRIVATE_WITH_EGRESS },
      instanceType: new InstanceType(instanceType),
      machineImage: windowsImage(amiId),
      securityGroup: this.securityGroup,
      role: this.role,
      userData,
      httpTokens: HttpTokens.REQUIRED,
      httpEndpoint: true,
      httpPutResponseHopLimit: 1,
      detailedMonitoring: true,
      disableApiTermination: true,
      ebsOptimized: true,
      blockDevices: [
        {
          deviceName: ROOT_DEVICE,
          volume: BlockDeviceVolume.ebs(settings.rootVolumeGiB, { encrypted: true, volumeType: EbsDeviceVolumeType.GP3, deleteOnTermination: true }),
        },
        {
          deviceName: RECORDING_DEVICE,
          volume: BlockDeviceVolume.ebs(settings.recordingVolumeGiB, {
            encrypted: true,
            volumeType: EbsDeviceVolumeType.GP3,
            deleteOnTermination: false,
          }),
        },
      ],
    });

    new CfnOutput(this, 'InstanceId', { value: this.instance.instanceId, description: 'Connect with: aws ssm start-session --target <id>' });
    new CfnOutput(this, 'PrivateIp', { value: this.instance.instancePrivateIp });
    new CfnOutput(this, 'LicensingEndpoint', { value: settings.licensingEndpoint });
  }
}

/**
 * The AMI deployment described in the app's context, or undefined when there is none: an object in
 * cdk.json, or JSON text given on the command line (`-c xprotectAmiDeployment='{"licenseModel":…}'`).
 */
export function amiDeploymentPropsFromContext(scope: Construct): AmiDeploymentSettingsInput | undefined {
  let value = scope.node.tryGetContext(AMI_CONTEXT_KEY) as unknown;
  if (value === undefined) return undefined;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      throw new Error(`${AMI_CONTEXT_KEY}: the context value is not a JSON object`);
    }
  }
  return parseAmiDeploymentSettings(value);
}
