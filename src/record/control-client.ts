/** Client side of the control socket (see control.ts): one request, one answer. */
import { connect } from 'node:net';
import { UserError } from '../errors.js';
import type { ControlRequest, ControlResponse } from './control.js';

export function sendControl(
  socketPath: string,
  request: ControlRequest,
  timeoutMs = 30_000,
): Promise<ControlResponse> {
  return new Promise((resolve, reject) => {
    const socket = connect(socketPath);
    let buffered = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new UserError(`control socket ${socketPath}: no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.setEncoding('utf8');
    socket.on('connect', () => socket.write(`${JSON.stringify(request)}\n`));
    socket.on('data', (chunk: string) => {
      buffered += chunk;
      const newline = buffered.indexOf('\n');
      if (newline < 0) return;
      clearTimeout(timer);
      socket.end();
      resolve(JSON.parse(buffered.slice(0, newline)) as ControlResponse);
    });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(
        new UserError(
          err.code === 'ENOENT' || err.code === 'ECONNREFUSED'
            ? `no interposer is listening on ${socketPath} (is the mount running with --control?)`
            : err.code === 'EACCES'
              ? `permission denied: control socket ${socketPath} belongs to the mount's owner (see --control-group)`
              : `control socket ${socketPath}: ${err.message}`,
        ),
      );
    });
  });
}
