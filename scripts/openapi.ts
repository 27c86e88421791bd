/** Prints the OpenAPI document (`npm run openapi > openapi.json`) from the source tree, without a running daemon. */
import { openApiDocument } from './lib/openapi-document.js';

const text = `${JSON.stringify(await openApiDocument(), null, 2)}\n`;
// Exit once a pipe has taken every byte: Node's metrics keep a timer that would hold the process.
process.stdout.write(text, () => process.exit(0));
