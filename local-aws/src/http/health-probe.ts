import { request } from "node:http";

/** One HTTP GET: the status code, or undefined on timeout or connection failure. */
export type HttpProbe = (url: string, timeoutMs: number) => Promise<number | undefined>;

export const httpProbe: HttpProbe = (url, timeoutMs) =>
  new Promise((resolve) => {
    const req = request(url, { method: "GET", timeout: timeoutMs, agent: false }, (response) => {
      response.resume();
      resolve(response.statusCode);
    });
    req.on("timeout", () => {
      req.destroy();
      resolve(undefined);
    });
    req.on("error", () => resolve(undefined));
    req.end();
  });
