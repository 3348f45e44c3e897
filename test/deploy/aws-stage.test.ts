/**
 * The `--stage aws` configuration of serverless.yml: `serverless package --stage aws` succeeds with no AWS
 * credentials and (where `unshare -n` can cut the network) no network at all, and the generated CloudFormation
 * has the VPC, the EFS mount, the SSM-backed parameters and the environment the handlers need. The database
 * password is in no environment: the database functions get the name of its SecureString parameter and the
 * right to read that one parameter; the other functions get no database settings and a role without that
 * right. The local stage keeps its settings (no VPC, no EFS, its own environment).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectRoot } from '../helpers/testdata';
import { zipEntries } from '../helpers/zip';

const SERVERLESS = join(projectRoot, 'node_modules', 'serverless', 'bin', 'serverless.js');
const MOUNT = '/mnt/loris-data';
/** Functions that open recordings (or check the data directory) and so mount EFS; all use the database. */
const DATA_FUNCTIONS = [
  'health',
  'recording',
  'sensors',
  'meg-sensors',
  'meg-headshape',
  'topomap',
  'meegqc-files',
  'meegqc-file',
  'meegqc-archive',
];
/** Functions that never touch the database. */
const NO_DATABASE_FUNCTIONS = ['recordings', 'openapi', 'demo'];
/** Module uploads: the database and the uploads bucket, no EFS, a role of their own. */
const UPLOAD_FUNCTIONS = ['tus-upload', 'uploads-list', 'uploads-status'];
const PASSWORD_PARAMETER = '/loris-ephys/aws/db-password';
const SSM_PARAMETERS: Record<string, [string, string]> = {
  LorisEphysSubnetIds: ['AWS::SSM::Parameter::Value<List<AWS::EC2::Subnet::Id>>', 'subnet-ids'],
  LorisEphysSecurityGroupIds: [
    'AWS::SSM::Parameter::Value<List<AWS::EC2::SecurityGroup::Id>>',
    'security-group-ids',
  ],
  LorisEphysEfsAccessPointArn: ['AWS::SSM::Parameter::Value<String>', 'efs-access-point-arn'],
  LorisEphysDbHost: ['AWS::SSM::Parameter::Value<String>', 'db-host'],
  LorisEphysDbPort: ['AWS::SSM::Parameter::Value<String>', 'db-port'],
  LorisEphysDbName: ['AWS::SSM::Parameter::Value<String>', 'db-name'],
  LorisEphysDbUser: ['AWS::SSM::Parameter::Value<String>', 'db-user'],
};

/**
 * A service folder of its own (serverless.yml and package.json copied; dist/, node_modules/ and deploy/, which
 * holds the local origin-guard plugin serverless.yml lists, linked), so
 * packaging never shares the project's .serverless/ staging folder with another packaging run.
 */
function isolatedService(tmp: string): string {
  const dir = join(tmp, 'service');
  mkdirSync(dir);
  for (const file of ['serverless.yml', 'package.json'])
    copyFileSync(join(projectRoot, file), join(dir, file));
  for (const folder of ['dist', 'node_modules', 'deploy'])
    symlinkSync(join(projectRoot, folder), join(dir, folder));
  return dir;
}

/** No credentials of any kind reach serverless. */
const offlineEnv = (home: string): NodeJS.ProcessEnv => ({
  ...process.env,
  HOME: home,
  AWS_ACCESS_KEY_ID: '',
  AWS_SECRET_ACCESS_KEY: '',
  AWS_SESSION_TOKEN: '',
  AWS_PROFILE: 'none-such',
  AWS_CONFIG_FILE: join(home, 'no-aws-config'),
  AWS_SHARED_CREDENTIALS_FILE: join(home, 'no-aws-credentials'),
  SLS_TELEMETRY_DISABLED: '1',
});

/** `unshare -n` gives the command an empty network namespace (root on Linux); undefined when unavailable. */
function networkless(): string[] | undefined {
  const probe = spawnSync('unshare', ['-n', 'true']);
  return probe.status === 0 ? ['unshare', '-n'] : undefined;
}

type Json = Record<string, unknown>;
interface LambdaProps {
  MemorySize: number;
  Timeout: number;
  VpcConfig?: Json;
  FileSystemConfigs?: { Arn: unknown; LocalMountPath: string }[];
  Environment: { Variables: Record<string, unknown> };
  Role: unknown;
}

const ref = (name: string): Json => ({ Ref: name });
/** arn:<partition>:ssm:<region>:<account>:parameter<name> as the template builds it. */
const parameterArn = (name: string): Json => ({
  'Fn::Join': [
    '',
    [
      'arn:',
      ref('AWS::Partition'),
      ':ssm:',
      ref('AWS::Region'),
      ':',
      ref('AWS::AccountId'),
      `:parameter${name}`,
    ],
  ],
});
interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: Json;
}
const actions = (s: Statement): string[] => (Array.isArray(s.Action) ? s.Action : [s.Action]);
const listOf = (name: string): Json => ({ 'Fn::Split': [',', { 'Fn::Join': [',', ref(name)] }] });

function print(service: string, stage: string, home: string, extra: string[] = []): Json {
  const out = execFileSync(
    process.execPath,
    [SERVERLESS, 'print', '--stage', stage, '--format', 'json', ...extra],
    {
      cwd: service,
      env: offlineEnv(home),
      encoding: 'utf8',
    },
  );
  return JSON.parse(out.slice(out.indexOf('{'))) as Json;
}

describe('serverless --stage aws', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'loris-ephys-aws-'));
  const out = join(tmp, 'package');
  const service = isolatedService(tmp);
  let template: {
    Parameters: Record<string, Json>;
    Conditions?: Record<string, unknown>;
    Resources: Record<string, { Type: string; Properties: Json; Condition?: string }>;
  };
  let lambdas: Map<string, LambdaProps>;
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  beforeAll(() => {
    const isolate = networkless();
    if (!isolate)
      console.warn('unshare -n is not available: packaging without credentials, but with network');
    const command = [
      ...(isolate ?? []),
      process.execPath,
      SERVERLESS,
      'package',
      '--stage',
      'aws',
      '--package',
      out,
    ];
    const run = spawnSync(command[0] ?? '', command.slice(1), {
      cwd: service,
      env: offlineEnv(tmp),
      encoding: 'utf8',
    });
    const log = `${run.stdout}${run.stderr}`;
    if (run.status !== 0) throw new Error(`serverless package --stage aws failed:\n${log}`);
    expect(log).not.toMatch(/warning/i);
    template = JSON.parse(
      readFileSync(join(out, 'cloudformation-template-update-stack.json'), 'utf8'),
    ) as typeof template;
    lambdas = new Map(
      Object.entries(template.Resources)
        .filter(([, r]) => r.Type === 'AWS::Lambda::Function')
        .map(([id, r]) => [id.replace(/LambdaFunction$/, ''), r.Properties as unknown as LambdaProps]),
    );
  }, 300000);

  const lambda = (fn: string): LambdaProps => {
    const id = fn.replace(/-/g, 'Dash').replace(/^./, (c) => c.toUpperCase());
    const props = lambdas.get(id);
    if (!props) throw new Error(`no Lambda function for ${fn} (have ${[...lambdas.keys()].join(', ')})`);
    return props;
  };

  it('declares SSM Parameter Store names as CloudFormation parameters (resolved at deploy, not at package)', () => {
    for (const [name, [type, leaf]] of Object.entries(SSM_PARAMETERS)) {
      expect([name, template.Parameters[name]?.Type, template.Parameters[name]?.Default]).toEqual([
        name,
        type,
        `/loris-ephys/aws/${leaf}`,
      ]);
    }
    // No unresolved serverless variable (CloudFormation's own ${AWS::...} in Fn::Sub are fine).
    expect(JSON.stringify(template).match(/\$\{(?!AWS::)[^}]*\}/g)).toBeNull();
  });

  it('runs every function in the VPC from SSM, with VPC execution rights', () => {
    expect(lambdas.size).toBeGreaterThanOrEqual(7);
    for (const [id, props] of lambdas) {
      expect([id, props.VpcConfig]).toEqual([
        id,
        { SubnetIds: listOf('LorisEphysSubnetIds'), SecurityGroupIds: listOf('LorisEphysSecurityGroupIds') },
      ]);
    }
    for (const id of ['IamRoleLambdaExecution', 'LorisEphysNoDatabaseRole', 'LorisEphysUploadsRole']) {
      const role = template.Resources[id]?.Properties as { ManagedPolicyArns: unknown[] };
      expect([id, JSON.stringify(role.ManagedPolicyArns)]).toEqual([
        id,
        expect.stringContaining('AWSLambdaVPCAccessExecutionRole'),
      ]);
    }
  });

  it('mounts the EFS access point read by the data routes at /mnt/loris-data', () => {
    const arn = { 'Fn::Join': ['', [ref('LorisEphysEfsAccessPointArn')]] };
    for (const fn of DATA_FUNCTIONS) {
      expect([fn, lambda(fn).FileSystemConfigs]).toEqual([fn, [{ Arn: arn, LocalMountPath: MOUNT }]]);
    }
    const statements = JSON.stringify(template.Resources.IamRoleLambdaExecution?.Properties);
    expect(statements).toContain('elasticfilesystem:ClientMount');
  });

  const base = {
    NODE_OPTIONS: '--enable-source-maps',
    LORIS_EPHYS_MODE: 'loris',
    LORIS_EPHYS_MODULES: 'ephys,meegqc',
    LORIS_DATA_DIR: `${MOUNT}/`,
  };

  it('gives the database functions the database settings from SSM and the password parameter name only', () => {
    for (const fn of DATA_FUNCTIONS) {
      expect([fn, lambda(fn).Environment.Variables]).toEqual([
        fn,
        {
          ...base,
          LORIS_DB_HOST: ref('LorisEphysDbHost'),
          LORIS_DB_PORT: ref('LorisEphysDbPort'),
          LORIS_DB_NAME: ref('LorisEphysDbName'),
          LORIS_DB_USER: ref('LorisEphysDbUser'),
          // The name of the SecureString: the handler reads the value at cold start.
          LORIS_DB_PASSWORD_PARAMETER: PASSWORD_PARAMETER,
        },
      ]);
    }
    expect(lambdas.size).toBe(DATA_FUNCTIONS.length + NO_DATABASE_FUNCTIONS.length + UPLOAD_FUNCTIONS.length);
  });

  it('gives the upload functions the database, the uploads bucket and 4 MiB chunks; no EFS', () => {
    for (const fn of UPLOAD_FUNCTIONS) {
      expect([fn, lambda(fn).Environment.Variables]).toEqual([
        fn,
        {
          ...base,
          LORIS_DB_HOST: ref('LorisEphysDbHost'),
          LORIS_DB_PORT: ref('LorisEphysDbPort'),
          LORIS_DB_NAME: ref('LorisEphysDbName'),
          LORIS_DB_USER: ref('LorisEphysDbUser'),
          LORIS_DB_PASSWORD_PARAMETER: PASSWORD_PARAMETER,
          LORIS_EPHYS_UPLOAD_S3_BUCKET: ref('LorisEphysUploadBucket'),
          LORIS_EPHYS_UPLOAD_MAX_CHUNK_BYTES: '4194304',
        },
      ]);
      expect([fn, lambda(fn).FileSystemConfigs ?? null]).toEqual([fn, null]);
      expect([fn, lambda(fn).Role]).toEqual([fn, { 'Fn::GetAtt': ['LorisEphysUploadsRole', 'Arn'] }]);
    }
  });

  it('keeps the uploads bucket private and encrypted, and lets only the upload role use it', () => {
    const bucket = template.Resources.LorisEphysUploadBucket;
    expect(bucket?.Type).toBe('AWS::S3::Bucket');
    const props = bucket?.Properties as Json;
    expect(props.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(JSON.stringify(props.BucketEncryption)).toContain('AES256');
    const role = template.Resources.LorisEphysUploadsRole?.Properties as {
      Policies: { PolicyDocument: { Statement: Statement[] } }[];
    };
    const statements = role.Policies.flatMap((p) => p.PolicyDocument.Statement);
    const bucketArn = { 'Fn::GetAtt': ['LorisEphysUploadBucket', 'Arn'] };
    expect(statements).toEqual([
      { Effect: 'Allow', Action: 'ssm:GetParameter', Resource: parameterArn(PASSWORD_PARAMETER) },
      { Effect: 'Allow', Action: ['s3:ListBucket', 's3:ListBucketMultipartUploads'], Resource: bucketArn },
      {
        Effect: 'Allow',
        Action: [
          's3:GetObject',
          's3:PutObject',
          's3:DeleteObject',
          's3:AbortMultipartUpload',
          's3:ListMultipartUploadParts',
        ],
        Resource: { 'Fn::Join': ['', [bucketArn, '/*']] },
      },
    ]);
    // No other role or policy grants S3.
    const others = Object.entries(template.Resources).filter(
      ([id, r]) => r.Type.startsWith('AWS::IAM::') && id !== 'LorisEphysUploadsRole',
    );
    expect(JSON.stringify(others)).not.toMatch(/"s3:/);
  });

  it('gives the other functions LORIS mode and no database settings at all', () => {
    for (const fn of NO_DATABASE_FUNCTIONS)
      expect([fn, lambda(fn).Environment.Variables]).toEqual([fn, base]);
  });

  it('puts the password nowhere in the template, not even as a dynamic reference', () => {
    const text = JSON.stringify(template);
    expect(text.match(/LORIS_DB_PASSWORD(?!_PARAMETER)/g)).toBeNull();
    expect(text).not.toContain('{{resolve:');
  });

  it('lets only the database functions read that one parameter (ssm:GetParameter, nothing wider)', () => {
    const defaultRole = { 'Fn::GetAtt': ['IamRoleLambdaExecution', 'Arn'] };
    for (const fn of DATA_FUNCTIONS) expect([fn, lambda(fn).Role]).toEqual([fn, defaultRole]);
    for (const fn of NO_DATABASE_FUNCTIONS)
      expect([fn, lambda(fn).Role]).toEqual([fn, { 'Fn::GetAtt': ['LorisEphysNoDatabaseRole', 'Arn'] }]);

    const role = template.Resources.IamRoleLambdaExecution?.Properties as {
      Policies: { PolicyDocument: { Statement: Statement[] } }[];
    };
    const statements = role.Policies.flatMap((p) => p.PolicyDocument.Statement);
    const secretStatements = statements.filter((s) =>
      actions(s).some((a) => /^(?:ssm|kms|secretsmanager):/.test(a)),
    );
    expect(secretStatements).toEqual([
      { Effect: 'Allow', Action: ['ssm:GetParameter'], Resource: parameterArn(PASSWORD_PARAMETER) },
    ]);
    // The role of recordings, openapi and demo: VPC networking and logs (a managed policy), no inline policy.
    const noDatabase = template.Resources.LorisEphysNoDatabaseRole?.Properties ?? {};
    expect(Object.keys(noDatabase).sort()).toEqual(['AssumeRolePolicyDocument', 'ManagedPolicyArns']);
  });

  it('adds kms:Decrypt only for a customer managed key (the AWS managed aws/ssm key needs no grant)', () => {
    const policy = template.Resources.LorisEphysDbPasswordKeyPolicy;
    expect(policy?.Condition).toBe('LorisEphysDbPasswordCustomerKey');
    // With the default key the condition compares two equal strings: CloudFormation creates no policy.
    expect(template.Conditions?.LorisEphysDbPasswordCustomerKey).toEqual({
      'Fn::Not': [{ 'Fn::Equals': ['alias/aws/ssm', 'alias/aws/ssm'] }],
    });
    // Nothing else in the template grants KMS or Secrets Manager.
    const others = Object.entries(template.Resources).filter(
      ([id]) => id !== 'LorisEphysDbPasswordKeyPolicy',
    );
    expect(JSON.stringify(others)).not.toMatch(/"(kms|secretsmanager):/);
  });

  it('leaves the AWS SDK out of the packages: the Node.js 20 runtime provides it', () => {
    for (const fn of DATA_FUNCTIONS) {
      const entries = zipEntries(join(out, `${fn}.zip`));
      expect([fn, entries.filter((e) => e.includes('@aws-sdk')).length]).toEqual([fn, 0]);
    }
    const bundle = readFileSync(join(projectRoot, 'dist', 'health', 'index.js'), 'utf8');
    expect(bundle).toContain('import("@aws-sdk/client-ssm")');
  });

  it('sizes topomap at 1024 MB / 29 s and the other routes at 512 MB / 29 s', () => {
    expect([lambda('topomap').MemorySize, lambda('topomap').Timeout]).toEqual([1024, 29]);
    for (const [id, props] of lambdas)
      if (id !== 'Topomap') expect([id, props.MemorySize, props.Timeout]).toEqual([id, 512, 29]);
  });

  it("packages sharp's Linux x64 binaries with the topomap function", () => {
    const zip = join(out, 'topomap.zip');
    expect(existsSync(zip)).toBe(true);
    const entries = zipEntries(zip);
    expect(entries).toContain('dist/topomap/index.js');
    // The map worker's bundle travels with it (unused on Lambda, where maps run in the invocation's thread).
    expect(entries).toContain('dist/topomap/worker.js');
    expect(entries.some((e) => /@img\/sharp-linux-x64\/lib\/sharp-linux-x64[-\d.]*\.node$/.test(e))).toBe(
      true,
    );
    expect(entries.some((e) => /@img\/sharp-libvips-linux-x64\/lib\/libvips-cpp/.test(e))).toBe(true);
  });

  it('takes the SSM prefix and the KMS key from --param; the local stage keeps no VPC, EFS, role or DB settings', () => {
    const key = 'arn:aws:kms:ca-central-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    const custom = print(service, 'aws', tmp, [
      '--param',
      'ssmPrefix=/site/ephys',
      '--param',
      `dbPasswordKmsKeyArn=${key}`,
    ]);
    const resources = custom.resources as {
      Parameters: Record<string, Json>;
      Conditions: Json;
      Resources: Record<string, { Properties: { PolicyDocument: { Statement: Statement[] } } }>;
    };
    expect(resources.Parameters.LorisEphysDbHost?.Default).toBe('/site/ephys/db-host');
    const health = (custom.functions as Record<string, { environment: Json }>).health;
    expect(health?.environment.LORIS_DB_PASSWORD_PARAMETER).toBe('/site/ephys/db-password');
    const statements = ((custom.provider as Json).iam as { role: { statements: Statement[] } }).role
      .statements;
    expect(statements).toEqual([
      { Effect: 'Allow', Action: ['ssm:GetParameter'], Resource: parameterArn('/site/ephys/db-password') },
    ]);
    // A customer managed key: kms:Decrypt on that key, through SSM only.
    expect(resources.Conditions.LorisEphysDbPasswordCustomerKey).toEqual({
      'Fn::Not': [{ 'Fn::Equals': [key, 'alias/aws/ssm'] }],
    });
    expect(resources.Resources.LorisEphysDbPasswordKeyPolicy?.Properties.PolicyDocument.Statement).toEqual([
      {
        Effect: 'Allow',
        Action: 'kms:Decrypt',
        Resource: key,
        Condition: {
          StringEquals: {
            'kms:ViaService': { 'Fn::Join': ['', ['ssm.', ref('AWS::Region'), '.amazonaws.com']] },
          },
        },
      },
    ]);
    const local = print(service, 'local', tmp);
    const provider = local.provider as Json;
    expect(provider.vpc ?? null).toBeNull();
    expect(local.resources ?? null).toBeNull();
    expect(Object.keys(provider.environment as Json).sort()).toEqual(['LORIS_EPHYS_MODE', 'NODE_OPTIONS']);
    expect(provider.iam ?? null).toBeNull();
    for (const fn of Object.values(local.functions as Record<string, Json>)) {
      expect(fn.fileSystemConfig ?? null).toBeNull();
      expect(fn.role ?? null).toBeNull();
      expect(Object.keys((fn.environment as Json | undefined) ?? {})).toEqual([]);
    }
  });
});
