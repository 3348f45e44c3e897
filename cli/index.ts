/**
 * loris-ephys: the command-line face of the service. Subcommands run the same library as the handlers,
 * without a server (and `upload` sends a session to LORIS). Exit codes: 0 success, 2 bad arguments, 3 unreadable
 * or unsupported recording (upload: refused), 4 network (upload).
 */
import { version } from '../package.json';
import { commands, runNamedCommand, type Command } from './commands';
import './recording-commands';
import './demo';
import './topomap-command';
import './upload/command';

const HELP = `loris-ephys ${version}: electrophysiology imaging for LORIS (topomaps, sensor positions)

Usage: loris-ephys <command> [options]   (loris-ephys <command> --help: its usage and options)

Commands:
${[...commands.entries()].map(([name, c]: [string, Command]) => `  ${name.padEnd(10)} ${c.summary}`).join('\n')}

Options:
  -h, --help       show this help
  -v, --version    print the version
`;

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '-h' || name === '--help' || name === 'help') {
    process.stdout.write(HELP);
    return name === undefined ? 2 : 0;
  }
  if (name === '-v' || name === '--version') {
    process.stdout.write(`${version}\n`);
    return 0;
  }
  const command = commands.get(name);
  if (!command) {
    process.stderr.write(`loris-ephys: unknown command '${name}' (see --help)\n`);
    return 2;
  }
  return runNamedCommand(name, command, rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`loris-ephys: ${(error as Error)?.message ?? String(error)}\n`);
    process.exitCode = 1;
  },
);
