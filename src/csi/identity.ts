/** CSI Identity service: who the plugin is, what it offers, whether it is ready. */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DRIVER_NAME } from './constants.js';

/** package.json is two levels up from both src/csi/ and dist/csi/. */
function packageVersion(): string {
  try {
    const here = dirname(fileURLToPath(import.meta.url));
    const pkg = JSON.parse(readFileSync(join(here, '..', '..', 'package.json'), 'utf8')) as {
      version?: string;
    };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

export interface IdentityOptions {
  /** Readiness for Probe: false while the driver cannot serve Node calls yet. */
  isReady?: () => Promise<boolean>;
  mode: string;
}

export class IdentityServer {
  private readonly version = packageVersion();

  constructor(private readonly options: IdentityOptions) {}

  async GetPluginInfo(): Promise<object> {
    return { name: DRIVER_NAME, vendor_version: this.version, manifest: { mode: this.options.mode } };
  }

  /** Node-only plugin: no CONTROLLER_SERVICE, no topology constraints, no expansion. */
  async GetPluginCapabilities(): Promise<object> {
    return { capabilities: [] };
  }

  async Probe(): Promise<object> {
    const ready = this.options.isReady ? await this.options.isReady() : true;
    return { ready: { value: ready } };
  }
}
