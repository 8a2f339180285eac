/**
 * Where the published XSD of the extract document is: served to LA developers (extract-routes.ts)
 * and validated against in tests (extract-schema.ts). Apart from extract-schema.ts so that serving
 * the file does not load the validator, a devDependency.
 */
import { fileURLToPath } from 'node:url';

export const EXTRACT_XSD_PATH = fileURLToPath(new URL('./childcare-register-extract.xsd', import.meta.url));
