/** The release record's SSM path when `record-name` is not given. */
export function defaultRecordName(serviceName: string): string {
  return `/lightsail-deploy/${serviceName}/releases`;
}
