import { UserError } from '../errors.js';

export const summary = '';

export async function run(_argv: string[]): Promise<number> {
  throw new UserError('replay: not built yet');
}
