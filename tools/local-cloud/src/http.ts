import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

export async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export type Handler = (request: IncomingMessage, response: ServerResponse) => Promise<void>;

/** A local HTTP server on a free loopback port. `endpoint` uses `localhost`, as moto needs for template URLs. */
export interface LocalServer {
  readonly endpoint: string;
  readonly port: number;
  close(): Promise<void>;
}

export async function listen(handler: Handler, onError: (error: unknown) => void): Promise<LocalServer> {
  const server: Server = createServer((request, response) => {
    handler(request, response).catch((error: unknown) => {
      onError(error);
      if (!response.headersSent) {
        response.writeHead(500, { 'content-type': 'text/plain' });
      }
      response.end(
        `internal error of the local emulator: ${error instanceof Error ? error.message : String(error)}`,
      );
    });
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  server.unref();
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    endpoint: `http://localhost:${port}`,
    port,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
