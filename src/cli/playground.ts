// `gradlab playground`: serves the built playground (dist/playground, from `npm run build:playground`) over node:http and prints its URL.
import { createServer, type Server } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseCommandArgs, UsageError, type Command } from './common.ts';

const help = `usage: gradlab playground [--port N]

Serves the interactive playground (built by 'npm run build:playground' into dist/playground) on
http://127.0.0.1:N/ and prints its URL; Ctrl-C stops it. --port 0 (or no --port) picks a free port.`;

/** The folder `npm run build:playground` writes. */
export const playgroundDir = fileURLToPath(new URL('../../dist/playground/', import.meta.url));

const contentTypes: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.ico': 'image/x-icon',
};

/** A running static server. */
export interface StaticServer {
  readonly url: string;
  readonly server: Server;
  close(): Promise<void>;
}

/**
 * Serves the files under `root` (GET and HEAD only; `/` is index.html; nothing outside `root` is reachable).
 * @throws Error when `root` has no index.html (the playground was not built).
 */
export async function serveStatic(root: string, port = 0, host = '127.0.0.1'): Promise<StaticServer> {
  const base = resolve(root);
  try {
    await stat(join(base, 'index.html'));
  } catch {
    throw new Error(`no built playground in ${base}: run 'npm run build:playground' first`);
  }
  const server = createServer((request, response) => {
    void (async () => {
      if (request.method !== 'GET' && request.method !== 'HEAD') {
        response.writeHead(405, { allow: 'GET, HEAD' }).end();
        return;
      }
      let pathname: string;
      try {
        pathname = decodeURIComponent(new URL(request.url ?? '/', 'http://localhost').pathname);
      } catch {
        response.writeHead(400).end('bad request');
        return;
      }
      const file = resolve(base, `.${pathname.endsWith('/') ? `${pathname}index.html` : pathname}`);
      if (file !== base && !file.startsWith(base + sep)) {
        response.writeHead(403).end('forbidden');
        return;
      }
      try {
        const body = await readFile(file);
        response.writeHead(200, { 'content-type': contentTypes[extname(file)] ?? 'application/octet-stream', 'content-length': body.length });
        response.end(request.method === 'HEAD' ? undefined : body);
      } catch {
        response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found');
      }
    })();
  });
  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(port, host, () => done());
  });
  const address = server.address();
  const actualPort = typeof address === 'object' && address !== null ? address.port : port;
  return {
    url: `http://${host}:${actualPort}/`,
    server,
    close: () => new Promise<void>((done) => server.close(() => done())),
  };
}

export const playgroundCommand: Command = {
  name: 'playground',
  help,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(args, { port: { type: 'string' } }, help);
    if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'\n\n${help}`);
    const port = values.port === undefined ? 0 : Number(values.port);
    if (!(Number.isInteger(port) && port >= 0 && port <= 65535)) throw new UsageError(`--port expects a port number from 0 to 65535, got '${values.port}'`);
    const served = await serveStatic(playgroundDir, port).catch((error: Error) => {
      if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new UsageError(`port ${port} is in use; pick another with --port, or --port 0 for a free one`);
      throw error;
    });
    io.stdout(`gradlab playground: ${served.url}\n(Ctrl-C to stop)\n`);
    await new Promise<void>((done) => {
      const stop = () => void served.close().then(done);
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    return 0;
  },
};
