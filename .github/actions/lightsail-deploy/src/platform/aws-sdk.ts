/*
 * The AWS SDK, imported from each client's package root, as its public API (the `dist-es` deep paths are
 * the packages' build layout, free to change in any release). The cost, measured on this tree: ncc
 * resolves a package root to the client's single CommonJS file, which webpack cannot tree-shake, so
 * dist/bundle.js is 1,624,091 B instead of 1,498,549 B with `dist-es`, and the start-up to the first AWS
 * request 349 ms instead of 320 ms (npm run bench, interleaved runs).
 * Everything, tests included, imports the SDK from here (Lightsail's: targets/lightsail/lightsail-sdk.ts) so that
 * there is one copy of each class.
 */
export {
  BatchGetImageCommand,
  DescribeImagesCommand,
  DescribeRepositoriesCommand,
  ECRClient,
  GetAuthorizationTokenCommand,
  GetRepositoryPolicyCommand,
  PutImageCommand,
} from "@aws-sdk/client-ecr";
