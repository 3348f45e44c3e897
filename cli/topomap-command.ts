/** `topomap <path> [route options] -o FILE`: the same PNG, SVG or JSON as the topomap route, from a file. */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseWith } from '../lib/core/http';
import { topomapQuerySchema } from '../lib/core/topomap-params';
import { openForHandler } from '../lib/service/open-recording';
import { getConfig } from '../lib/service/runtime';
import { computeMap, renderMap } from '../lib/service/topomap';
import { registerCommand } from './commands';
import { runCommand, UsageError } from './recording-commands';

registerCommand('topomap', {
  usage: 'topomap <path> [--t S | --tmin S --tmax S] [--format png|svg|json] ... -o FILE',
  summary: 'render a topographic map with the route options (see README) to FILE',
  run: (args) =>
    runCommand(async () => {
      const positional: string[] = [];
      const options: Record<string, string> = {};
      let output: string | undefined;
      for (let i = 0; i < args.length; i++) {
        const arg = args[i] as string;
        if (arg === '-o' || arg === '--output') output = args[++i];
        else if (arg.startsWith('--')) {
          const [name, inline] = arg.slice(2).split('=', 2) as [string, string | undefined];
          const value = inline ?? args[++i];
          if (value === undefined) throw new UsageError(`--${name} needs a value`);
          options[name] = value;
        } else positional.push(arg);
      }
      if (positional.length !== 1 || !output) throw new UsageError('usage: topomap <path> [options] -o FILE');
      const format =
        options.format ?? (output.endsWith('.svg') ? 'svg' : output.endsWith('.json') ? 'json' : 'png');
      const query = parseWith(topomapQuerySchema, { ...options, format });
      const opened = await openForHandler(resolve(positional[0] as string), { condition: query.condition });
      try {
        const map = await computeMap(opened, query, getConfig().limits);
        const { body } = await renderMap(map, opened, query);
        writeFileSync(
          output,
          typeof body === 'string' || body instanceof Uint8Array ? body : JSON.stringify(body),
        );
      } finally {
        await opened.recording.close();
      }
    }),
});
