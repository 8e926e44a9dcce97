// The fixed response body every upstream returns: about 100 bytes, so that the figures measure per-request
// overhead (parsing, routing, header copying), not bandwidth. nginx and the Node upstream send the same bytes.
export const BODY =
  'hello from the keyway bench upstream; this body is padded to be about one hundred bytes long.....\n';
