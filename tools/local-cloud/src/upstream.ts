import { request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { FAKE_CREDENTIALS, REGION } from './constants.js';
import { queryError } from './xml.js';

/** moto's answer to a request the front passed on. */
export interface UpstreamAnswer {
  readonly status: number;
  readonly headers: IncomingMessage['headers'];
  readonly body: Buffer;
}

function withoutHopByHop(headers: IncomingMessage['headers']): IncomingMessage['headers'] {
  const {
    connection: _c,
    'keep-alive': _k,
    expect: _e,
    'transfer-encoding': _t,
    'content-length': _l,
    ...rest
  } = headers;
  return rest;
}

/** Sends one request to `upstream` (moto) with the caller's headers, and reads the whole answer. */
export function sendUpstream(
  upstream: string,
  method: string,
  path: string,
  headers: IncomingMessage['headers'],
  body: Buffer | undefined,
): Promise<UpstreamAnswer> {
  const target = new URL(path, upstream);
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(
      {
        hostname: '127.0.0.1',
        port: target.port,
        path: target.pathname + target.search,
        method,
        headers: {
          ...withoutHopByHop(headers),
          host: target.host,
          ...(body ? { 'content-length': String(body.length) } : {}),
        },
      },
      (answer) => {
        const chunks: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => chunks.push(chunk));
        answer.on('end', () =>
          resolve({ status: answer.statusCode ?? 502, headers: answer.headers, body: Buffer.concat(chunks) }),
        );
        answer.on('error', reject);
      },
    );
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

/** Passes the request on to `upstream` as it came (a GET or HEAD carries no body). */
export function forwardRequest(
  upstream: string,
  request: IncomingMessage,
  body: Buffer | undefined,
): Promise<UpstreamAnswer> {
  const method = request.method ?? 'GET';
  return sendUpstream(
    upstream,
    method,
    request.url ?? '/',
    request.headers,
    method === 'GET' || method === 'HEAD' ? undefined : body,
  );
}

/**
 * moto answers what it cannot handle with an HTML page and status 500; CloudFormation answers
 * `InternalFailure` in its XML. The page's text is kept in the message.
 */
function asCloudFormationAnswer(answer: UpstreamAnswer): UpstreamAnswer {
  const type = String(answer.headers['content-type'] ?? '');
  if (answer.status < 500 || type.includes('xml')) return answer;
  const text = answer.body
    .toString('utf8')
    .replace(/<[^>]*>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 300);
  return {
    status: 500,
    headers: { 'content-type': 'text/xml' },
    body: Buffer.from(
      queryError(
        'InternalFailure',
        `the emulator's moto failed: ${text || `HTTP ${answer.status}`}`,
        'Receiver',
      ),
    ),
  };
}

/** Passes a CloudFormation (query protocol) request on to moto; its HTML error pages become `InternalFailure`. */
export async function forwardCloudFormation(
  upstream: string,
  request: IncomingMessage,
  body: Buffer | undefined,
): Promise<UpstreamAnswer> {
  return asCloudFormationAnswer(await forwardRequest(upstream, request, body));
}

/** Answers the caller with `body`, its length recomputed (the front may have rewritten it). */
export function reply(
  response: ServerResponse,
  status: number,
  headers: IncomingMessage['headers'],
  body: Buffer | string,
): void {
  const {
    'content-length': _length,
    'transfer-encoding': _encoding,
    connection: _connection,
    ...rest
  } = headers;
  const buffer = typeof body === 'string' ? Buffer.from(body) : body;
  response.writeHead(status, { ...rest, 'content-length': String(buffer.length) });
  response.end(buffer);
}

export function replyWith(response: ServerResponse, answer: UpstreamAnswer): void {
  reply(response, answer.status, answer.headers, answer.body);
}

/** An S3 Authorization header moto accepts (it checks the form, not the signature). */
export function s3Authorization(): string {
  return `AWS4-HMAC-SHA256 Credential=${FAKE_CREDENTIALS.accessKeyId}/20200101/${REGION}/s3/aws4_request, SignedHeaders=host, Signature=0`;
}
