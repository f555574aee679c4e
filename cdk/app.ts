import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { cellsFromContext } from './config';
import { AmiDeploymentStack, amiDeploymentPropsFromContext } from './stacks/ami-deployment-stack';
import { LicensingStack } from './stacks/licensing-stack';

/** The stack id of a region's cell: `npx cdk deploy CloudLicensing-<region>`. */
export const stackIdFor = (region: string): string => `CloudLicensing-${region}`;

/** The stack id of the XProtect AMI deployment (docs/AMI-DEPLOYMENT.md). */
export const AMI_DEPLOYMENT_STACK_ID = 'XProtectAmiDeployment';

/**
 * The CDK app: one LicensingStack per region listed in cdk.json context (`cloudLicensing.regions`),
 * in the account the CLI is pointed at; the XProtect AMI deployment stack when the context describes
 * one (`xprotectAmiDeployment`, in the account and region the CLI points at); the cdk-nag
 * AwsSolutions and Serverless packs check every synth.
 */
export function buildApp(app: App = new App()): App {
  for (const settings of cellsFromContext(app)) {
    new LicensingStack(app, stackIdFor(settings.region), {
      env: { region: settings.region, account: process.env.CDK_DEFAULT_ACCOUNT },
      settings,
    });
  }
  const ami = amiDeploymentPropsFromContext(app);
  if (ami) {
    new AmiDeploymentStack(app, AMI_DEPLOYMENT_STACK_ID, {
      env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
      ...ami,
    });
  }
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
  return app;
}

const invokedDirectly = process.argv[1] !== undefined && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url);
if (invokedDirectly) buildApp().synth();
