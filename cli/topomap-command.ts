/** `topomap <path> [route options] -o FILE`: the same PNG, SVG or JSON as the topomap route, from a file. */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseWith } from '../lib/core/http';
import { topomapQuerySchema } from '../lib/core/topomap-params';
import { openForHandler } from '../lib/service/open-recording';
import { getConfig } from '../lib/service/runtime';
import { computeMap, renderMap } from '../lib/service/topomap';
import { registerCommand, runCommand, stringOption, UsageError, type OptionSpecs } from './commands';

/** Every route option is a `--name value` option (checked by the route's own schema). */
const routeOptions: OptionSpecs = Object.fromEntries(
  Object.keys(topomapQuerySchema.shape).map((name) => [name, { type: 'string' as const }]),
);

registerCommand('topomap', {
  usage: 'topomap <path> [--t S | --tmin S --tmax S] [--format png|svg|json] ... -o FILE',
  summary: 'render a topographic map with the route options (see README) to FILE',
  options: { ...routeOptions, output: { type: 'string', short: 'o' } },
  optionHelp: [
    ['-o, --output FILE', 'where to write the map (format from the extension unless --format)'],
    ['--t S | --tmin S --tmax S', 'a time, or a window in seconds'],
    [
      `--<name> VALUE`,
      `any option of the topomap route: ${Object.keys(topomapQuerySchema.shape).join(', ')}`,
    ],
  ],
  run: (args) =>
    runCommand(async () => {
      const output = stringOption(args, 'output');
      if (args.positionals.length !== 1 || !output)
        throw new UsageError('usage: topomap <path> [options] -o FILE');
      const options: Record<string, string> = {};
      for (const name of Object.keys(routeOptions)) {
        const value = stringOption(args, name);
        if (value !== undefined) options[name] = value;
      }
      const format =
        options.format ?? (output.endsWith('.svg') ? 'svg' : output.endsWith('.json') ? 'json' : 'png');
      const query = parseWith(topomapQuerySchema, { ...options, format });
      const opened = await openForHandler(resolve(args.positionals[0] as string), {
        condition: query.condition,
      });
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
