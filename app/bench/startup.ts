// Measures the production image: its size against the Bun base, and the time from `docker run` to the first
// 200 on /health. Run with `npm run bench -w app` (or `bun bench/startup.ts [runs]` in app/).
import {
  buildAppImage,
  buildBaseImage,
  dockerAvailability,
  freePort,
  imageSize,
  removeContainer,
  removeImage,
  runContainer,
  waitFor200,
} from "../test/support/docker.js";

const SIZE_BUDGET_BYTES = 15 * 1000 * 1000;

const runs = Number(process.argv[2] ?? "5");
if (!Number.isInteger(runs) || runs < 1) {
  console.error(`bench: runs must be a whole number of at least 1: "${process.argv[2]}"`);
  process.exit(2);
}

const availability = await dockerAvailability();
if (!availability.ok) {
  console.error(`bench: cannot measure: ${availability.missing}`);
  process.exit(1);
}

const unique = `${process.pid}-${Date.now().toString(36)}`;
const image = `apptest-bench:${unique}`;
const mb = (bytes: number) => `${(bytes / 1e6).toFixed(2)} MB`;

try {
  const base = await buildBaseImage();
  await buildAppImage(image, base, `bench-${unique}`);
  const baseBytes = await imageSize(base);
  const appBytes = await imageSize(image);
  const extra = appBytes - baseBytes;
  console.log(`base image  ${base}: ${baseBytes} bytes (${mb(baseBytes)})`);
  console.log(`app image   ${image}: ${appBytes} bytes (${mb(appBytes)})`);
  console.log(
    `app adds    ${extra} bytes (${mb(extra)}); budget ${mb(SIZE_BUDGET_BYTES)}: ${extra <= SIZE_BUDGET_BYTES ? "within" : "OVER"}`,
  );

  const timings: number[] = [];
  for (let index = 0; index < runs; index += 1) {
    const container = `apptest-bench-${unique}-${index}`;
    const port = await freePort();
    try {
      const started = performance.now();
      await runContainer(container, image, {
        PORT: String(port),
        AUTHORIZER_URL: "http://127.0.0.1:9/authorize",
      });
      await waitFor200(`http://127.0.0.1:${port}/health`, 30_000, 5);
      timings.push(performance.now() - started);
    } finally {
      await removeContainer(container);
    }
  }
  timings.sort((a, b) => a - b);
  const median = timings[Math.floor(timings.length / 2)] ?? 0;
  const fmt = (ms: number | undefined) => `${Math.round(ms ?? 0)} ms`;
  console.log(
    `docker run -> first 200 on /health over ${runs} runs: median ${fmt(median)}, min ${fmt(timings[0])}, max ${fmt(timings.at(-1))}`,
  );
} finally {
  await removeImage(image);
}
