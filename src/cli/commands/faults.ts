import { UserError } from '../errors.js';

export const summary = '';

export async function run(_argv: string[]): Promise<number> {
  throw new UserError('faults: not built yet');
}
