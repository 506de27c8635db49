// A local stand-in for the authorizer on an ephemeral loopback port, recording what it receives.

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: Headers;
  body: string;
}

export interface FakeAuthorizer {
  /** The endpoint to put in AUTHORIZER_URL. */
  url: string;
  received: ReceivedRequest[];
  /** Resolves when the next request has arrived (its body read). */
  nextRequest(): Promise<ReceivedRequest>;
  stop(): Promise<void>;
}

export type Reply = (request: ReceivedRequest) => Response | Promise<Response>;

export function startFakeAuthorizer(reply: Reply): FakeAuthorizer {
  const received: ReceivedRequest[] = [];
  let waiters: Array<(request: ReceivedRequest) => void> = [];
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(request) {
      const entry: ReceivedRequest = {
        method: request.method,
        path: new URL(request.url).pathname,
        headers: request.headers,
        body: await request.text(),
      };
      received.push(entry);
      const ready = waiters;
      waiters = [];
      for (const resolve of ready) resolve(entry);
      return reply(entry);
    },
  });
  return {
    url: `http://127.0.0.1:${server.port}/v1/authorize`,
    received,
    nextRequest: () => new Promise((resolve) => waiters.push(resolve)),
    stop: () => server.stop(true),
  };
}

export interface Gate {
  promise: Promise<void>;
  open(): void;
}

/** A promise the test resolves by hand, to hold a response open for as long as it wants. */
export function gate(): Gate {
  let open = () => {};
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

/** A loopback URL on which nothing listens: bind a port, then release it. */
export async function closedPortUrl(): Promise<string> {
  const server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response() });
  const url = `http://127.0.0.1:${server.port}/authorize`;
  await server.stop(true);
  return url;
}
