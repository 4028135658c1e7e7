// A plain SDK v1 Streamable HTTP server (the same one the `run --url` tests use) in a process
// of its own, for bench/http.ts: prints its URL, serves until killed.
import { startV1HttpServer } from '../test/helpers/http-servers.js';

const server = await startV1HttpServer(process.env.BENCH_TOKEN ?? 'bench-token');
process.stdout.write(`${server.url}\n`);
