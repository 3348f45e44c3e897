/** The CLI's subcommands, each a small function over the shared library. */
export interface Command {
  usage: string;
  summary: string;
  run(args: string[]): Promise<number>;
}

export const commands = new Map<string, Command>();

export function registerCommand(name: string, command: Command): void {
  commands.set(name, command);
}
