// The ES-module builds have no .d.ts beside them; their types are the packages' own (see aws-sdk.ts).
declare module "@aws-sdk/client-ecr/dist-es/index.js" {
  export * from "@aws-sdk/client-ecr";
}
declare module "@aws-sdk/client-lightsail/dist-es/index.js" {
  export * from "@aws-sdk/client-lightsail";
}
declare module "@aws-sdk/client-ssm/dist-es/index.js" {
  export * from "@aws-sdk/client-ssm";
}
