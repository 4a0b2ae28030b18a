import type { CustomAction } from '../contract.js';
import { CalagopusClient } from './client.js';
import { requireOurServer } from './locate.js';
import type { CalagopusSettings } from './settings.js';

/** Custom buttons (the reference module has none): both act on our own server only. */
export const calagopusActions: Readonly<Record<string, CustomAction<CalagopusSettings>>> = {
  'clear-state': {
    label: 'Clear install state',
    description:
      'Resets a server stuck in "installing", "install_failed" or a failed restore to a normal state (POST /servers/{id}/clear-state); files are not touched.',
    async run(ctx) {
      const panel = CalagopusClient.forAction(ctx);
      const server = await requireOurServer(panel, ctx);
      await panel.clearState(server.uuid);
    },
  },
  rename: {
    label: 'Rename server',
    description: 'Sets the name the customer sees in the panel (1–255 characters).',
    // Not `name`: the engine reads `args.name` as the custom action's own name.
    arguments: [
      { name: 'serverName', label: 'New server name', type: 'text', required: true, maxLength: 255 },
    ],
    async run(ctx) {
      const panel = CalagopusClient.forAction(ctx);
      const server = await requireOurServer(panel, ctx);
      await panel.updateServer(server.uuid, { name: String(ctx.args.serverName) });
    },
  },
};
