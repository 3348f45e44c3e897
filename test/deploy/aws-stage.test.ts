/**
 * The `--stage aws` configuration of serverless.yml: `serverless package --stage aws` succeeds with no AWS
 * credentials and (where `unshare -n` can cut the network) no network at all, and the generated CloudFormation
 * has the VPC, the EFS mount, the SSM-backed parameters and the environment the handlers need. The local stage
 * keeps its settings (no VPC, no EFS, its own environment).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectRoot } from '../helpers/testdata';
import { zipEntries } from '../helpers/zip';

const SERVERLESS = join(projectRoot, 'node_modules', 'serverless', 'bin', 'serverless.js');
const MOUNT = '/mnt/loris-data';
/** Functions that open recordings (or check the data directory) and so mount EFS. */
const DATA_FUNCTIONS = ['health', 'recording', 'sensors', 'meg-sensors', 'meg-headshape', 'topomap'];
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
 * A service folder of its own (serverless.yml and package.json copied, dist/ and node_modules/ linked), so
 * packaging never shares the project's .serverless/ staging folder with another packaging run.
 */
function isolatedService(tmp: string): string {
  const dir = join(tmp, 'service');
  mkdirSync(dir);
  for (const file of ['serverless.yml', 'package.json'])
    copyFileSync(join(projectRoot, file), join(dir, file));
  for (const folder of ['dist', 'node_modules']) symlinkSync(join(projectRoot, folder), join(dir, folder));
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
}

const ref = (name: string): Json => ({ Ref: name });
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
    Resources: Record<string, { Type: string; Properties: Json }>;
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
    const role = template.Resources.IamRoleLambdaExecution?.Properties as { ManagedPolicyArns: unknown[] };
    expect(JSON.stringify(role.ManagedPolicyArns)).toContain('AWSLambdaVPCAccessExecutionRole');
  });

  it('mounts the EFS access point read by the data routes at /mnt/loris-data', () => {
    const arn = { 'Fn::Join': ['', [ref('LorisEphysEfsAccessPointArn')]] };
    for (const fn of DATA_FUNCTIONS) {
      expect([fn, lambda(fn).FileSystemConfigs]).toEqual([fn, [{ Arn: arn, LocalMountPath: MOUNT }]]);
    }
    const statements = JSON.stringify(template.Resources.IamRoleLambdaExecution?.Properties);
    expect(statements).toContain('elasticfilesystem:ClientMount');
  });

  it('gives the handlers LORIS mode, the EFS data directory and the database settings from SSM', () => {
    for (const [id, props] of lambdas) {
      expect([id, props.Environment.Variables]).toEqual([
        id,
        {
          NODE_OPTIONS: '--enable-source-maps',
          LORIS_EPHYS_MODE: 'loris',
          LORIS_DATA_DIR: `${MOUNT}/`,
          LORIS_DB_HOST: ref('LorisEphysDbHost'),
          LORIS_DB_PORT: ref('LorisEphysDbPort'),
          LORIS_DB_NAME: ref('LorisEphysDbName'),
          LORIS_DB_USER: ref('LorisEphysDbUser'),
          // A CloudFormation dynamic reference: the secret never enters the package.
          LORIS_DB_PASSWORD: '{{resolve:ssm:/loris-ephys/aws/db-password}}',
        },
      ]);
    }
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
    expect(entries.some((e) => /@img\/sharp-linux-x64\/lib\/sharp-linux-x64[-\d.]*\.node$/.test(e))).toBe(
      true,
    );
    expect(entries.some((e) => /@img\/sharp-libvips-linux-x64\/lib\/libvips-cpp/.test(e))).toBe(true);
  });

  it('takes the SSM prefix from --param, and the local stage keeps no VPC, no EFS and its own environment', () => {
    const custom = print(service, 'aws', tmp, ['--param', 'ssmPrefix=/site/ephys']);
    const parameters = (custom.resources as { Parameters: Record<string, Json> }).Parameters;
    expect(parameters.LorisEphysDbHost?.Default).toBe('/site/ephys/db-host');
    const local = print(service, 'local', tmp);
    const provider = local.provider as Json;
    expect(provider.vpc ?? null).toBeNull();
    expect(local.resources ?? null).toBeNull();
    expect(Object.keys(provider.environment as Json).sort()).toEqual(['LORIS_EPHYS_MODE', 'NODE_OPTIONS']);
    for (const fn of Object.values(local.functions as Record<string, Json>))
      expect(fn.fileSystemConfig ?? null).toBeNull();
  });
});
