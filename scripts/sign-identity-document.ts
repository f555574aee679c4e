/**
 * Prints an EC2 instance identity document signed with the development key, as the `aws` block of
 * POST /v1/activations/ami or POST /v1/activations, for trying the AMI routes against `npm start`
 * (which trusts the development certificate when AWS_IDENTITY_CERTS_FILE is unset).
 *
 *   npx tsx scripts/sign-identity-document.ts [--account 123456789012] [--instance i-0abc1234def567890]
 *     [--region eu-west-1] [--product-code dev-essential-plus-included | --no-product-code]
 *
 * Output: {"instanceIdentityDocument": "...", "signature": "..."} on stdout.
 */
import { parseArgs } from 'node:util';
import { DEVELOPMENT_PRODUCT_CODE, signIdentityDocument } from '../test/support/identity';

const usage = `Usage: npx tsx scripts/sign-identity-document.ts [options]
  --account <12 digits>        AWS account id (default: random)
  --instance <i-...>           instance id (default: random)
  --region <region>            region (default: eu-west-1)
  --image <ami-...>            AMI id (default: random)
  --product-code <code>        Marketplace product code, repeatable (default: ${DEVELOPMENT_PRODUCT_CODE})
  --no-product-code            no product code (marketplaceProductCodes: null), as a BYOL AMI
  --help`;

let values;
try {
  ({ values } = parseArgs({
    options: {
      account: { type: 'string' },
      instance: { type: 'string' },
      region: { type: 'string' },
      image: { type: 'string' },
      'product-code': { type: 'string', multiple: true },
      'no-product-code': { type: 'boolean' },
      help: { type: 'boolean' },
    },
    strict: true,
  }));
} catch (error) {
  console.error(`${(error as Error).message}\n${usage}`);
  process.exit(2);
}

if (values.help) {
  console.log(usage);
  process.exit(0);
}

const signed = signIdentityDocument(
  {
    ...(values.account ? { accountId: values.account } : {}),
    ...(values.instance ? { instanceId: values.instance } : {}),
    ...(values.region ? { region: values.region } : {}),
    ...(values.image ? { imageId: values.image } : {}),
    ...(values['product-code'] ? { marketplaceProductCodes: values['product-code'] } : {}),
  },
  { noProductCodes: values['no-product-code'] === true },
);
console.log(JSON.stringify(signed));
