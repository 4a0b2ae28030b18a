import type { ApiClient } from '../api/client';
import type { ModuleInfo, Page } from '../api/types';
import { useSession } from '../session';
import { useApi } from './use-api';

/** The modules this engine runs, as GET /v1/modules describes them (forms are generated from it). */
export function useModules() {
  const { api } = useSession();
  return useApi(() => loadModules(api), [api]);
}

const cache = new WeakMap<ApiClient, Promise<ModuleInfo[]>>();

function loadModules(api: ApiClient): Promise<ModuleInfo[]> {
  let loaded = cache.get(api);
  if (!loaded) {
    loaded = api.get<Page<ModuleInfo>>('/v1/modules').then((page) => page.items);
    loaded.catch(() => cache.delete(api));
    cache.set(api, loaded);
  }
  return loaded;
}

export function productTypeOf(module: ModuleInfo | undefined, productType: string | null) {
  return module?.productTypes.find((t) => t.id === productType) ?? module?.productTypes[0];
}
