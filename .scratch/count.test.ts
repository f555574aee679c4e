import { it } from 'vitest';
import { Template } from 'aws-cdk-lib/assertions';
import { buildTestApp } from '../test/cdk/support';
import { stackIdFor } from '../cdk/app';
it('lists', () => {
  const built = buildTestApp();
  const stack = built.app.node.findChild(stackIdFor('eu-west-1')) as any;
  const t = Template.fromStack(stack);
  console.log(Object.keys(t.findResources('AWS::Lambda::Function')));
  built.cleanup();
}, 300000);
