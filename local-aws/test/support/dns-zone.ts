import dns2 from "dns2";

const { Packet } = dns2;

/**
 * A DNS server on 127.0.0.1 (a free UDP port) that the test controls: it answers CNAME questions from
 * `records` and NXDOMAIN for anything else. The stand-in's certificate validation looks records up here
 * (config `dnsServers: [zone.server]`), as ACM looks them up in public DNS.
 */
export interface DnsZone {
  /** `127.0.0.1:<port>`, for the stand-in's `dnsServers`. */
  server: string;
  /** Adds (or replaces) a CNAME: `name` → `value` (trailing dots optional). */
  addCname(name: string, value: string): void;
  /** How many questions it answered (a lookup that never reached it shows as 0). */
  questions(): number;
  close(): Promise<void>;
}

const bare = (name: string) => name.replace(/\.$/, "").toLowerCase();

export async function startDnsZone(): Promise<DnsZone> {
  const cnames = new Map<string, string>();
  let asked = 0;
  const server = dns2.createServer({
    udp: true,
    handle: (request, send) => {
      asked++;
      const response = Packet.createResponseFromRequest(request);
      const [question] = request.questions;
      const target = question ? cnames.get(bare(question.name)) : undefined;
      if (question && target && (question.type === Packet.TYPE.CNAME || question.type === Packet.TYPE.A)) {
        response.answers.push({
          name: question.name,
          type: Packet.TYPE.CNAME,
          class: Packet.CLASS.IN,
          ttl: 60,
          domain: target,
          // The typings ask for the encoder dns2 adds itself when it writes the answer.
        } as (typeof response.answers)[number]);
      } else {
        response.header.rcode = 3; // NXDOMAIN
      }
      send(response);
    },
  });
  await server.listen({ udp: { port: 0, address: "127.0.0.1" } });
  const port = server.addresses().udp?.port;
  if (!port) throw new Error("the test DNS server did not report its UDP port");
  return {
    server: `127.0.0.1:${port}`,
    addCname: (name, value) => cnames.set(bare(name), bare(value)),
    questions: () => asked,
    close: () => server.close(),
  };
}
