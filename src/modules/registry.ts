import { axigenModule } from './axigen/index.js';
import { calagopusModule } from './calagopus/index.js';
import type { AnyModule } from './contract.js';
import { dcimanager6Module } from './dcimanager6/index.js';
import { easymailarchiveModule } from './easymailarchive/index.js';
import { storegridModule } from './storegrid/index.js';

/**
 * The modules this build ships. The engine is given this list at start; tests give it their own
 * (a fixture module, or one real module).
 */
export const BUILTIN_MODULES: readonly AnyModule[] = [
  axigenModule,
  calagopusModule,
  storegridModule,
  easymailarchiveModule,
  dcimanager6Module,
];
