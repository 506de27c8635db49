// The stand-in's test doubles that other workspaces' tests use (`local-aws/testing`): a DNS zone the test
// controls, for certificate validation.
export { type DnsZone, startDnsZone } from "./test/support/dns-zone.js";
