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
  /** Whether this deployment of the plugin serves the Controller (StorageClass volumes). */
  controller?: boolean;
}

export class IdentityServer {
  private readonly version = packageVersion();

  constructor(private readonly options: IdentityOptions) {}

  async GetPluginInfo(): Promise<object> {
    return { name: DRIVER_NAME, vendor_version: this.version, manifest: { mode: this.options.mode } };
  }

  /**
   * CONTROLLER_SERVICE where the controller runs; topology always, because a volume is only
   * usable where its backing volume is (and the node plugins must report their topology).
   */
  async GetPluginCapabilities(): Promise<object> {
    return {
      capabilities: [
        ...(this.options.controller ? [{ service: { type: 'CONTROLLER_SERVICE' } }] : []),
        { service: { type: 'VOLUME_ACCESSIBILITY_CONSTRAINTS' } },
      ],
    };
  }

  async Probe(): Promise<object> {
    const ready = this.options.isReady ? await this.options.isReady() : true;
    return { ready: { value: ready } };
  }
}
